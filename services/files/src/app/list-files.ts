import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { FileRecord } from '../domain/file.js';
import type { FileStatus } from '../domain/lifecycle.js';
import type { DicomQuery, FilesPorts, Visibility } from '../domain/ports.js';
import { decideMany } from './access.js';

export interface ListFilesQuery {
  status?: FileStatus;
  patientId?: string;
  contentType?: string;
  modality?: string;
  studyInstanceUid?: string;
  studyDateFrom?: string;
  studyDateTo?: string;
  cursor?: string;
  limit: number;
}

/**
 * A page of the files the caller may see. The query narrows by role; the policy decides per
 * file (expired shares, care ended), with its relations looked up once for the whole page.
 */
export async function listFiles(
  ports: Pick<FilesPorts, 'files' | 'projections' | 'grants' | 'clock'>,
  p: Principal,
  q: ListFilesQuery,
): Promise<{ items: FileRecord[]; nextCursor: string | null }> {
  const page = await ports.files.list({
    visibility: await visibilityOf(ports, p, ports.clock.now()),
    ...(q.status ? { status: q.status } : {}),
    ...(q.patientId ? { patientId: q.patientId } : {}),
    ...(q.contentType ? { contentType: q.contentType } : {}),
    ...(q.modality || q.studyInstanceUid || q.studyDateFrom || q.studyDateTo ? { dicom: dicomQuery(q) } : {}),
    ...(q.cursor ? { after: q.cursor } : {}),
    limit: q.limit,
  });
  const decisions = await decideMany(ports, p, 'file:read_metadata', page);
  return {
    items: page.filter((_, i) => decisions[i]!.allowed),
    nextCursor: page.length === q.limit ? page[page.length - 1]!._id : null,
  };
}

/**
 * What the query may select. A clinician's patients are those in care plus those of the
 * clinician's open break-glass grants: a grant that lets them read a file must let them find it
 * (the per-file policy below still decides, grant by grant).
 */
export async function visibilityOf(
  ports: Pick<FilesPorts, 'projections' | 'grants'>,
  p: Principal,
  now: Date,
): Promise<Visibility> {
  if (p.role === 'admin') return { kind: 'all' };
  if (p.role === 'patient') return { kind: 'owner', ownerId: p.userId };
  if (p.role === 'clinician') {
    const [inCare, grants] = await Promise.all([
      ports.projections.patientsInCare(p.userId),
      ports.grants.activeFor(p.userId, now),
    ]);
    return {
      kind: 'clinician',
      userId: p.userId,
      patients: [...new Set([...inCare, ...grants.map((g) => g.patientId)])],
    };
  }
  throw new AppError('FORBIDDEN', 'Your role does not read files');
}

function dicomQuery(q: ListFilesQuery): DicomQuery {
  return {
    ...(q.modality ? { modality: q.modality } : {}),
    ...(q.studyInstanceUid ? { studyInstanceUid: q.studyInstanceUid } : {}),
    ...(q.studyDateFrom ? { studyDateFrom: q.studyDateFrom } : {}),
    ...(q.studyDateTo ? { studyDateTo: q.studyDateTo } : {}),
  };
}
