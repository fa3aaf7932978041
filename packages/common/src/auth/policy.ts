import { AppError } from '../errors/index.js';
import type { Principal } from './principal.js';

/**
 * The access rules of CONTRACT.md, in one place every service calls. Pure: the caller looks
 * up the facts (care relationship, emergency grant, shares) and passes them in, so the rules
 * can be unit-tested exhaustively and read by an auditor in one sitting.
 */
export type FileAction =
  | 'file:upload'
  | 'file:read_metadata'
  | 'file:read_content'
  | 'file:share'
  | 'file:delete'
  | 'file:restore'
  | 'file:rescan';

/** Every file action, for exhaustive checks (tests, admin tooling). */
export const FILE_ACTIONS: readonly FileAction[] = [
  'file:upload',
  'file:read_metadata',
  'file:read_content',
  'file:share',
  'file:delete',
  'file:restore',
  'file:rescan',
];

export interface FileFacts {
  ownerId: string;
  uploadedBy: string;
  patientId?: string;
  /** User ids with an unexpired share. */
  sharedWith: string[];
}

export interface RelationFacts {
  /** The caller (a clinician) has the file's patient in care (appointment or assignment). */
  inCare: boolean;
  /** The caller holds an unexpired break-glass grant for the file's patient. */
  emergencyGrant: boolean;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const allow = (reason: string): Decision => ({ allowed: true, reason });
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** The patient a file belongs to: its patientId, or its owner when a patient uploaded for self. */
export function patientOf(file: FileFacts): string {
  return file.patientId ?? file.ownerId;
}

export function canOnFile(p: Principal, action: FileAction, file: FileFacts, rel: RelationFacts): Decision {
  const patient = patientOf(file);
  const isPatient = p.role === 'patient' && patient === p.userId;
  const isUploader = file.uploadedBy === p.userId || file.ownerId === p.userId;
  const isShared = file.sharedWith.includes(p.userId);

  switch (p.role) {
    case 'compliance':
      return deny('compliance reads the audit log, never files');
    case 'admin':
      if (action === 'file:read_metadata' || action === 'file:rescan') return allow('admin');
      if (action === 'file:read_content' && rel.emergencyGrant) return allow('break-glass grant');
      if (action === 'file:restore' || action === 'file:delete') return allow('admin manages the trash');
      return deny('admins read metadata only, content needs break-glass');
    case 'patient':
      if (!isPatient) return deny('not the patient of this file');
      if (action === 'file:rescan') return deny('only admins request rescans');
      return allow('own file');
    case 'clinician': {
      const careOrGrant = rel.inCare || rel.emergencyGrant;
      if (action === 'file:read_metadata' || action === 'file:read_content') {
        if (isUploader) return allow('uploader');
        if (isShared) return allow('shared with caller');
        if (rel.inCare) return allow('patient in care');
        if (rel.emergencyGrant) return allow('break-glass grant');
        return deny('no care relationship, share or grant');
      }
      if (action === 'file:upload') return careOrGrant ? allow('patient in care') : deny('patient not in care');
      if (action === 'file:delete' || action === 'file:restore') {
        return isUploader ? allow('uploader') : deny('only the uploader or the patient may delete');
      }
      if (action === 'file:share')
        return isUploader ? allow('uploader') : deny('only the uploader or the patient may share');
      return deny('only admins request rescans');
    }
  }
}

/** Upload permission before a file exists: patients upload for themselves only. */
export function canUploadFor(p: Principal, patientId: string | undefined, rel: RelationFacts): Decision {
  if (p.role === 'patient') {
    return !patientId || patientId === p.userId ? allow('own file') : deny('patients upload only their own files');
  }
  if (p.role === 'clinician') {
    if (!patientId) return deny('a clinician upload names its patient');
    return rel.inCare || rel.emergencyGrant ? allow('patient in care') : deny('patient not in care');
  }
  return deny('only patients and clinicians upload files');
}

export type AppointmentAction = 'appointment:book' | 'appointment:read' | 'appointment:modify';

export function canOnAppointment(
  p: Principal,
  action: AppointmentAction,
  appt: { clinicianId: string; patientId: string },
): Decision {
  if (p.role === 'admin') return allow('admin');
  if (p.role === 'patient')
    return appt.patientId === p.userId ? allow('own appointment') : deny('not your appointment');
  if (p.role === 'clinician') {
    return appt.clinicianId === p.userId ? allow('own schedule') : deny('not your schedule');
  }
  return deny(`${action} is not for compliance`);
}

export function canReadAudit(p: Principal): Decision {
  return p.role === 'compliance' || p.role === 'admin' ? allow(p.role) : deny('audit is for compliance and admins');
}

export function canManageUsers(p: Principal): Decision {
  return p.role === 'admin' ? allow('admin') : deny('only admins manage users');
}

/** A user's own record is theirs to read; anyone else's is user administration. */
export function canReadUser(p: Principal, userId: string): Decision {
  if (p.userId === userId) return allow('own record');
  return p.role === 'admin' ? allow('admin') : deny('only admins read other users');
}

export const EMERGENCY_REASON_MIN_LENGTH = 10;

/**
 * Break-glass (HIPAA 164.312(a)(2)(ii)): clinicians and admins may open a time-boxed grant to one
 * patient's files, and only with a stated reason; never for themselves, never for other roles.
 */
export function canOpenEmergencyGrant(p: Principal, req: { patientId: string; reason: string }): Decision {
  if (p.role !== 'clinician' && p.role !== 'admin') return deny('only clinicians and admins may use break-glass');
  if (req.patientId === p.userId) return deny("break-glass is for another person's records");
  if (req.reason.trim().length < EMERGENCY_REASON_MIN_LENGTH) return deny('break-glass needs a stated reason');
  return allow('break-glass');
}

/** Throws 403 FORBIDDEN (details.reason = the policy's reason) unless the decision allows. */
export function enforce(decision: Decision, message = 'You are not allowed to do this'): void {
  if (!decision.allowed) throw new AppError('FORBIDDEN', message, { details: { reason: decision.reason } });
}
