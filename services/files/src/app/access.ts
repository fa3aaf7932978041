import { canOnFile, canUploadFor, type Decision, type FileAction, type Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { FileRecord } from '../domain/file.js';
import type { Clock, Directory, GrantRepository } from '../domain/ports.js';

/** The relations a decision needs (narrow, so the list logic is tested with tiny fakes). */
interface AccessPorts {
  projections: Pick<Directory, 'inCare' | 'inCareOf'>;
  grants: Pick<GrantRepository, 'allows' | 'grantedPatients'>;
  clock: Clock;
}
/** What the policy reads of a file. */
type FileStanding = Pick<FileRecord, 'ownerId' | 'uploadedBy' | 'patientId' | 'shares'>;

/** Users with an unexpired share at `now`. */
export function activeShares(f: Pick<FileRecord, 'shares'>, now: Date): string[] {
  return f.shares.filter((s) => !s.expiresAt || new Date(s.expiresAt) > now).map((s) => s.userId);
}

const factsOf = (f: FileStanding, now: Date) => ({
  ownerId: f.ownerId,
  uploadedBy: f.uploadedBy,
  patientId: f.patientId,
  sharedWith: activeShares(f, now),
});

export async function decide(ports: AccessPorts, p: Principal, action: FileAction, f: FileStanding): Promise<Decision> {
  return (await decideMany(ports, p, action, [f]))[0]!;
}

/**
 * The policy's decision for each file of a list, with the relations it needs looked up once for
 * the whole list (one care query, at most one grant query), not once per file.
 */
export async function decideMany(
  ports: AccessPorts,
  p: Principal,
  action: FileAction,
  files: FileStanding[],
): Promise<Decision[]> {
  const now = ports.clock.now();
  const patients = [...new Set(files.map((f) => f.patientId))];
  const inCare =
    p.role === 'clinician' && patients.length ? await ports.projections.inCareOf(p.userId, patients) : new Set();
  const first = files.map((f) =>
    canOnFile(p, action, factsOf(f, now), { inCare: inCare.has(f.patientId), emergencyGrant: false }),
  );
  // Break-glass is looked up only when nothing else allows: it is the exception, not the path.
  const refused = files.filter((_, i) => !first[i]!.allowed);
  if (!refused.length || (p.role !== 'clinician' && p.role !== 'admin')) return first;
  const granted = await ports.grants.grantedPatients(p.userId, [...new Set(refused.map((f) => f.patientId))], now);
  return files.map((f, i) =>
    first[i]!.allowed || !granted.has(f.patientId)
      ? first[i]!
      : canOnFile(p, action, factsOf(f, now), { inCare: inCare.has(f.patientId), emergencyGrant: true }),
  );
}

/**
 * Throws 403 (with the policy's reason) unless the caller may do `action` on an existing file;
 * the gateway turns every 403 into an access.denied event for the audit log. File ids carry 80
 * random bits, so answering 403 rather than 404 reveals nothing that could be enumerated.
 */
export async function authorize(ports: AccessPorts, p: Principal, action: FileAction, f: FileStanding): Promise<void> {
  const d = await decide(ports, p, action, f);
  if (d.allowed) return;
  throw new AppError('FORBIDDEN', 'You are not allowed to do this', { details: { reason: d.reason } });
}

export async function authorizeUpload(ports: AccessPorts, p: Principal, patientId: string | undefined) {
  const inCare = p.role === 'clinician' && patientId ? await ports.projections.inCare(p.userId, patientId) : false;
  let d = canUploadFor(p, patientId, { inCare, emergencyGrant: false });
  if (
    !d.allowed &&
    p.role === 'clinician' &&
    patientId &&
    (await ports.grants.allows(p.userId, patientId, ports.clock.now()))
  )
    d = canUploadFor(p, patientId, { inCare, emergencyGrant: true });
  if (!d.allowed)
    throw new AppError('FORBIDDEN', 'You may not upload files for this patient', { details: { reason: d.reason } });
  return patientId ?? p.userId;
}
