import type { Role } from '@medvault/common/auth';

/**
 * The people picker's rules (CONTRACT.md "Users and roles", "Care relationship", Chat): who a
 * caller may address by name. Pure: the use case looks up the care links and the active users.
 */
export type PersonRole = 'clinician' | 'patient';

/** What the picker shows of a person: nothing beyond the name (no email, no other PHI). */
export interface Person {
  id: string;
  name: string;
  role: PersonRole;
}

/** A person as one caller sees them: `inCare` says a care relationship links the two. */
export interface Addressable extends Person {
  inCare: boolean;
}

export interface Audience {
  /** The role of the people on the other side of the caller's care relationships. */
  care: PersonRole;
  /**
   * Every active clinician is addressable too: a patient books with and shares files with any
   * active clinician; a clinician messages colleagues.
   */
  clinicianDirectory: boolean;
}

/** Only patients and clinicians pick people; admins administer users (GET /v1/users), compliance audits. */
export function audienceOf(role: Role): Audience | undefined {
  if (role === 'patient') return { care: 'clinician', clinicianDirectory: true };
  if (role === 'clinician') return { care: 'patient', clinicianDirectory: true };
  return undefined;
}

export interface PeopleFilter {
  role?: PersonRole | undefined;
  inCare?: boolean | undefined;
}

/** The most clinicians the directory part lists (by name): a clinic's staff, not an unbounded crawl. */
export const DIRECTORY_MAX = 1000;

/** Whether the filter can match anyone of the clinician directory (else it is not read at all). */
export const needsDirectory = (a: Audience, f: PeopleFilter) =>
  a.clinicianDirectory && f.inCare !== true && (f.role === undefined || f.role === 'clinician');

/**
 * The caller's people: those in care first-class (`inCare`), then the directory without the
 * caller and without anyone already listed; the filter applied; sorted by name then id.
 */
export function addressable(selfId: string, care: Person[], directory: Person[], f: PeopleFilter): Addressable[] {
  const seen = new Set<string>([selfId]);
  const out: Addressable[] = [];
  for (const [list, inCare] of [
    [care, true],
    [directory, false],
  ] as const) {
    for (const p of list) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      out.push({ id: p.id, name: p.name, role: p.role, inCare });
    }
  }
  return out
    .filter((p) => (f.role === undefined || p.role === f.role) && (f.inCare === undefined || p.inCare === f.inCare))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
