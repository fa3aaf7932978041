import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useSession } from '../session';
import { api, must } from './client';
import type { PeopleFilter, Person } from './types';

/**
 * The people the signed-in patient or clinician may address (GET /v1/people: id, name, role,
 * in care), so nobody types a user id. Admins and compliance have no such list (the API says
 * 403): the query is not even sent for them.
 */
export function usePeople(filter: PeopleFilter = {}) {
  const { me } = useSession();
  return useQuery({
    queryKey: ['people', filter],
    enabled: me?.role === 'patient' || me?.role === 'clinician',
    queryFn: async () => (await must(api.GET('/v1/people', { params: { query: filter } }))).items,
    staleTime: 60_000,
  });
}

/** A name for a user id from the caller's people, the id itself for anyone the list does not name. */
export function useNames(): (id: string) => string {
  const people = usePeople();
  const data = people.data;
  return useCallback((id: string) => data?.find((p) => p.id === id)?.name ?? id, [data]);
}

/**
 * Options of a people picker, by name; namesakes are told apart by the end of their id (never
 * by an email). With `groups`, those in care and the others are listed under their own heading.
 */
export function personOptions(people: Person[], groups?: { inCare: string; others: string }) {
  const count = new Map<string, number>();
  for (const p of people) count.set(p.name, (count.get(p.name) ?? 0) + 1);
  const option = (p: Person) => ({
    value: p.id,
    label: (count.get(p.name) ?? 0) > 1 ? `${p.name} (…${p.id.slice(-6)})` : p.name,
  });
  if (!groups) return people.map(option);
  return [
    { group: groups.inCare, items: people.filter((p) => p.inCare).map(option) },
    { group: groups.others, items: people.filter((p) => !p.inCare).map(option) },
  ].filter((g) => g.items.length > 0);
}
