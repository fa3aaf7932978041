import { Select } from '@mantine/core';
import { personOptions, usePeople } from '../api/people';
import type { PeopleFilter } from '../api/types';

/**
 * Picks a person by name from the people the caller may address (GET /v1/people), searchable by
 * typing part of the name; the value is their user id. The list is the server's, so a patient
 * is never offered anyone the API would refuse.
 */
export function PersonPicker({
  label,
  description,
  filter,
  groups,
  value,
  onChange,
  empty,
  required,
}: {
  label: string;
  description?: string;
  filter: PeopleFilter;
  /** Headings for those in care and the others, when both kinds can appear. */
  groups?: { inCare: string; others: string };
  value: string | null;
  onChange: (id: string | null) => void;
  /** What the picker says when the list is empty. */
  empty: string;
  required?: boolean;
}) {
  const people = usePeople(filter);
  const data = personOptions(people.data ?? [], groups);
  const none = people.isSuccess && people.data.length === 0;
  return (
    <Select
      label={label}
      description={description}
      placeholder={people.isPending ? 'Loading…' : none ? empty : 'Type a name'}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      required={required}
      disabled={none}
      nothingFoundMessage="Nobody by that name"
      error={people.isError ? 'Could not load the list of people' : undefined}
      maxDropdownHeight={280}
    />
  );
}

/** Any active clinician, the caller's care team first: whom a patient shares with and books with. */
export function ClinicianPicker(props: {
  description: string;
  empty: string;
  value: string | null;
  onChange: (id: string | null) => void;
  required?: boolean;
}) {
  return (
    <PersonPicker
      label="Clinician"
      filter={{ role: 'clinician' }}
      groups={{ inCare: 'Your care team', others: 'Other clinicians' }}
      {...props}
    />
  );
}
