import { canOnFile, canUploadFor, type FileAction, type Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { Deps } from '../deps.js';
import type { FileRecord } from '../store/files-repo.js';

/** Users with an unexpired share at `now`. */
export function activeShares(f: FileRecord, now: Date): string[] {
  return f.shares.filter((s) => !s.expiresAt || new Date(s.expiresAt) > now).map((s) => s.userId);
}

export async function decide(deps: Deps, p: Principal, action: FileAction, f: FileRecord) {
  const inCare = p.role === 'clinician' ? await deps.projections.inCare(p.userId, f.patientId) : false;
  const facts = {
    ownerId: f.ownerId,
    uploadedBy: f.uploadedBy,
    patientId: f.patientId,
    sharedWith: activeShares(f, deps.clock.now()),
  };
  const d = canOnFile(p, action, facts, { inCare, emergencyGrant: false });
  if (d.allowed || (p.role !== 'clinician' && p.role !== 'admin')) return d;
  // Break-glass is looked up only when nothing else allows: it is the exception, not the path.
  const emergencyGrant = await deps.grants.allows(p.userId, f.patientId, deps.clock.now());
  return emergencyGrant ? canOnFile(p, action, facts, { inCare, emergencyGrant }) : d;
}

/**
 * Throws 403 (with the policy's reason) unless the caller may do `action` on an existing file;
 * the gateway turns every 403 into an access.denied event for the audit log. File ids carry 80
 * random bits, so answering 403 rather than 404 reveals nothing that could be enumerated.
 */
export async function authorize(deps: Deps, p: Principal, action: FileAction, f: FileRecord): Promise<void> {
  const d = await decide(deps, p, action, f);
  if (d.allowed) return;
  throw new AppError('FORBIDDEN', 'You are not allowed to do this', { details: { reason: d.reason } });
}

export async function authorizeUpload(deps: Deps, p: Principal, patientId: string | undefined): Promise<string> {
  const inCare = p.role === 'clinician' && patientId ? await deps.projections.inCare(p.userId, patientId) : false;
  let d = canUploadFor(p, patientId, { inCare, emergencyGrant: false });
  if (
    !d.allowed &&
    p.role === 'clinician' &&
    patientId &&
    (await deps.grants.allows(p.userId, patientId, deps.clock.now()))
  )
    d = canUploadFor(p, patientId, { inCare, emergencyGrant: true });
  if (!d.allowed)
    throw new AppError('FORBIDDEN', 'You may not upload files for this patient', { details: { reason: d.reason } });
  return patientId ?? p.userId;
}
