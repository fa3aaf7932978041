import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import {
  type AppointmentAction,
  canManageUsers,
  canOnAppointment,
  canOnFile,
  canOpenEmergencyGrant,
  canReadAudit,
  canReadUser,
  canUploadFor,
  enforce,
  FILE_ACTIONS,
  type FileAction,
  type FileFacts,
  patientOf,
  type RelationFacts,
} from './policy.js';
import { type Principal, ROLES, type Role } from './principal.js';

const who = (role: Role, userId = `usr_${role}`): Principal => ({ userId, role, jti: 'j', iat: 0, exp: 1 });
const ME = 'usr_me';
const OTHER_PATIENT = 'usr_patient_x';
const OTHER_CLINICIAN = 'usr_clin_y';

/** How the caller stands to the file: the axis the contract's rules are written along. */
type Standing = 'patient_of_file' | 'uploader' | 'shared' | 'stranger';
const STANDINGS: Standing[] = ['patient_of_file', 'uploader', 'shared', 'stranger'];

function fileFor(standing: Standing): FileFacts {
  switch (standing) {
    case 'patient_of_file':
      return { ownerId: ME, uploadedBy: OTHER_CLINICIAN, patientId: ME, sharedWith: [] };
    case 'uploader':
      return { ownerId: ME, uploadedBy: ME, patientId: OTHER_PATIENT, sharedWith: [] };
    case 'shared':
      return { ownerId: OTHER_PATIENT, uploadedBy: OTHER_PATIENT, patientId: OTHER_PATIENT, sharedWith: [ME] };
    case 'stranger':
      return {
        ownerId: OTHER_PATIENT,
        uploadedBy: OTHER_PATIENT,
        patientId: OTHER_PATIENT,
        sharedWith: ['usr_someone'],
      };
  }
}

const RELATIONS: RelationFacts[] = [
  { inCare: false, emergencyGrant: false },
  { inCare: true, emergencyGrant: false },
  { inCare: false, emergencyGrant: true },
  { inCare: true, emergencyGrant: true },
];

/**
 * CONTRACT.md, restated as a table independent of the implementation:
 * the actions each role may take, given standing and relation facts.
 */
function expected(role: Role, action: FileAction, standing: Standing, rel: RelationFacts): boolean {
  if (role === 'compliance') return false; // audit only, never files
  if (role === 'admin') {
    if (action === 'file:read_metadata' || action === 'file:rescan') return true;
    if (action === 'file:read_content') return rel.emergencyGrant;
    return action === 'file:delete' || action === 'file:restore';
  }
  if (role === 'patient') {
    // A patient acts on their own files only (as the patient of the file), never rescans.
    return standing === 'patient_of_file' && action !== 'file:rescan';
  }
  // clinician
  const reads = action === 'file:read_metadata' || action === 'file:read_content';
  // For a clinician, owning the record (patient_of_file facts: ownerId = caller) counts as uploading it.
  const ownsRecord = standing === 'uploader' || standing === 'patient_of_file';
  if (reads) return ownsRecord || standing === 'shared' || rel.inCare || rel.emergencyGrant;
  if (action === 'file:upload') return rel.inCare || rel.emergencyGrant;
  if (action === 'file:delete' || action === 'file:restore' || action === 'file:share') return ownsRecord;
  return false; // rescan
}

describe('file policy, every role x action x standing x relation', () => {
  const cases = ROLES.flatMap((role) =>
    FILE_ACTIONS.flatMap((action) =>
      STANDINGS.flatMap((standing) => RELATIONS.map((rel) => ({ role, action, standing, rel }))),
    ),
  );

  it(`covers all ${4 * 7 * 4 * 4} combinations`, () => {
    expect(cases).toHaveLength(4 * 7 * 4 * 4);
  });

  it.each(cases)(
    '$role $action as $standing (care=$rel.inCare, grant=$rel.emergencyGrant)',
    ({ role, action, standing, rel }) => {
      // Patient-of-file standing only makes sense for a patient; for other roles the same facts mean
      // "owner of record", which the rules treat like uploader.
      const d = canOnFile(who(role, ME), action, fileFor(standing), rel);
      expect(d.allowed).toBe(expected(role, action, standing, rel));
      expect(d.reason.length).toBeGreaterThan(0);
    },
  );
});

describe('file policy specifics', () => {
  it('treats the owner as the patient when a patient uploaded for themself', () => {
    expect(patientOf({ ownerId: 'usr_a', uploadedBy: 'usr_a', sharedWith: [] })).toBe('usr_a');
    expect(patientOf({ ownerId: 'usr_c', uploadedBy: 'usr_c', patientId: 'usr_p', sharedWith: [] })).toBe('usr_p');
  });

  it("never lets a patient read another patient's file, even if it names them as owner elsewhere", () => {
    const f: FileFacts = { ownerId: OTHER_PATIENT, uploadedBy: OTHER_PATIENT, sharedWith: [] };
    for (const action of FILE_ACTIONS)
      expect(canOnFile(who('patient', ME), action, f, RELATIONS[3]!).allowed).toBe(false);
  });

  it('never lets a patient read a file shared with them that belongs to someone else', () => {
    expect(canOnFile(who('patient', ME), 'file:read_content', fileFor('shared'), RELATIONS[0]!).allowed).toBe(false);
  });

  it('keeps compliance away from file content whatever the facts', () => {
    for (const standing of STANDINGS) {
      for (const rel of RELATIONS)
        expect(canOnFile(who('compliance', ME), 'file:read_content', fileFor(standing), rel).allowed).toBe(false);
    }
  });

  it('refuses a clinician without care relationship, share or grant', () => {
    const d = canOnFile(who('clinician', ME), 'file:read_content', fileFor('stranger'), RELATIONS[0]!);
    expect(d).toEqual({ allowed: false, reason: 'no care relationship, share or grant' });
  });
});

describe('upload before a file exists', () => {
  const table: [Role, string | undefined, RelationFacts, boolean][] = [
    ['patient', undefined, RELATIONS[0]!, true],
    ['patient', ME, RELATIONS[0]!, true],
    ['patient', OTHER_PATIENT, RELATIONS[3]!, false],
    ['clinician', undefined, RELATIONS[3]!, false],
    ['clinician', OTHER_PATIENT, RELATIONS[0]!, false],
    ['clinician', OTHER_PATIENT, RELATIONS[1]!, true],
    ['clinician', OTHER_PATIENT, RELATIONS[2]!, true],
    ['admin', OTHER_PATIENT, RELATIONS[3]!, false],
    ['compliance', OTHER_PATIENT, RELATIONS[3]!, false],
  ];
  it.each(table)('%s uploading for %s (%o) -> %s', (role, patientId, rel, allowed) => {
    expect(canUploadFor(who(role, ME), patientId, rel).allowed).toBe(allowed);
  });
});

describe('appointments', () => {
  const ACTIONS: AppointmentAction[] = ['appointment:book', 'appointment:read', 'appointment:modify'];
  const appts = {
    mine_as_patient: { clinicianId: OTHER_CLINICIAN, patientId: ME },
    mine_as_clinician: { clinicianId: ME, patientId: OTHER_PATIENT },
    others: { clinicianId: OTHER_CLINICIAN, patientId: OTHER_PATIENT },
  };
  const expectedAppt = (role: Role, which: keyof typeof appts) =>
    role === 'admin' ||
    (role === 'patient' && which === 'mine_as_patient') ||
    (role === 'clinician' && which === 'mine_as_clinician');

  const cases = ROLES.flatMap((role) =>
    ACTIONS.flatMap((action) =>
      (Object.keys(appts) as (keyof typeof appts)[]).map((which) => ({ role, action, which })),
    ),
  );
  it.each(cases)('$role $action on $which', ({ role, action, which }) => {
    expect(canOnAppointment(who(role, ME), action, appts[which]).allowed).toBe(expectedAppt(role, which));
  });
});

describe('audit, users, break-glass', () => {
  it.each(ROLES.map((r) => [r, r === 'admin' || r === 'compliance'] as const))(
    'audit log for %s -> %s',
    (role, allowed) => {
      expect(canReadAudit(who(role)).allowed).toBe(allowed);
    },
  );

  it.each(ROLES.map((r) => [r, r === 'admin'] as const))('user administration for %s -> %s', (role, allowed) => {
    expect(canManageUsers(who(role)).allowed).toBe(allowed);
  });

  it.each(ROLES)('%s reads their own user record but only an admin reads another', (role) => {
    expect(canReadUser(who(role, ME), ME).allowed).toBe(true);
    expect(canReadUser(who(role, ME), OTHER_PATIENT).allowed).toBe(role === 'admin');
  });

  it.each(ROLES.map((r) => [r, r === 'admin' || r === 'clinician'] as const))(
    'break-glass for %s with a reason -> %s',
    (role, allowed) => {
      expect(
        canOpenEmergencyGrant(who(role, ME), { patientId: OTHER_PATIENT, reason: 'unconscious patient in ER' }).allowed,
      ).toBe(allowed);
    },
  );

  it('refuses break-glass without a real reason or for oneself', () => {
    expect(canOpenEmergencyGrant(who('clinician', ME), { patientId: OTHER_PATIENT, reason: '   ' }).allowed).toBe(
      false,
    );
    expect(canOpenEmergencyGrant(who('clinician', ME), { patientId: OTHER_PATIENT, reason: 'because' }).allowed).toBe(
      false,
    );
    expect(
      canOpenEmergencyGrant(who('admin', ME), { patientId: ME, reason: 'looking at my own records' }).allowed,
    ).toBe(false);
  });
});

describe('enforce', () => {
  it('passes an allowed decision and throws 403 with the reason otherwise', () => {
    expect(() => enforce({ allowed: true, reason: 'ok' })).not.toThrow();
    try {
      enforce({ allowed: false, reason: 'not yours' }, 'Nope');
      expect.unreachable();
    } catch (e) {
      expect(AppError.is(e)).toBe(true);
      expect(e).toMatchObject({ code: 'FORBIDDEN', status: 403, message: 'Nope', details: { reason: 'not yours' } });
    }
  });
});
