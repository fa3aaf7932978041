import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import {
  type Addressable,
  addressable,
  audienceOf,
  DIRECTORY_MAX,
  needsDirectory,
  type PeopleFilter,
} from '../domain/people.js';
import type { CareLinks, PeopleDirectory } from '../domain/ports.js';

export interface PeoplePorts {
  care: CareLinks;
  people: PeopleDirectory;
}

/**
 * GET /v1/people: the people the caller may address by name. A patient: the clinicians who have
 * them in care, and every active clinician (booking and sharing are open to any of them). A
 * clinician: their patients in care, and their active colleagues. Never a patient outside the
 * caller's care, never a deactivated user, never an admin or compliance officer.
 */
export async function listPeople(d: PeoplePorts, p: Principal, f: PeopleFilter): Promise<Addressable[]> {
  const audience = audienceOf(p.role);
  if (!audience)
    throw new AppError('FORBIDDEN', 'Only patients and clinicians pick people; admins list users at /v1/users', {
      details: { reason: `the people picker is not for ${p.role}` },
    });
  const careIds = await (p.role === 'patient' ? d.care.cliniciansOf(p.userId) : d.care.patientsOf(p.userId));
  // The role is checked again on the user: a care link to someone who became an admin confers nothing here.
  const [care, directory] = await Promise.all([
    careIds.length ? d.people.activePeople({ role: audience.care, ids: careIds, limit: careIds.length }) : [],
    needsDirectory(audience, f) ? d.people.activePeople({ role: 'clinician', limit: DIRECTORY_MAX }) : [],
  ]);
  return addressable(p.userId, care, directory, f);
}
