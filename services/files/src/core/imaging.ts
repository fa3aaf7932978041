import type { Principal } from '@medvault/common/auth';
import { canonicalContext, createDecryptStream, encryptedSize } from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import type { EventData } from '@medvault/common/events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Filter } from 'mongodb';
import type { Deps } from '../deps.js';
import { createHashVerifier } from '../domain/inspect.js';
import { isServable } from '../domain/lifecycle.js';
import { chain } from '../storage/chain.js';
import type { DicomIndex, FileRecord } from '../store/files-repo.js';

export type { DicomIndex };

import { authorize } from './access.js';
import { failBefore, onStreamEnd } from './download.js';
import { event, metaOf } from './events.js';

/**
 * Imaging in the files service (issue 17), kept in this one file: the indexed DICOM header
 * recorded from file.processed, the list filters over it, and the preview endpoint.
 */

/** The record fields file.processed sets for a DICOM file (nothing for other files). */
export function dicomFieldsOf(d: EventData<'file.processed'>): { dicom?: DicomIndex } {
  return d.dicom ? { dicom: d.dicom } : {};
}

export interface DicomQuery {
  modality?: string;
  studyInstanceUid?: string;
  studyDateFrom?: string;
  studyDateTo?: string;
}

/** `GET /v1/files` filters over the DICOM index (ISO dates compare as strings). */
export function dicomFilters(q: DicomQuery): Filter<FileRecord>[] {
  const out: Filter<FileRecord>[] = [];
  if (q.modality) out.push({ 'dicom.modality': q.modality.toUpperCase() });
  if (q.studyInstanceUid) out.push({ 'dicom.studyInstanceUid': q.studyInstanceUid });
  const range = {
    ...(q.studyDateFrom ? { $gte: q.studyDateFrom } : {}),
    ...(q.studyDateTo ? { $lte: q.studyDateTo } : {}),
  };
  if (Object.keys(range).length) out.push({ 'dicom.studyDate': range });
  return out;
}

export const previewOf = (f: FileRecord) => f.derivatives.find((d) => d.kind === 'preview' && d.sha256);

/**
 * GET /v1/files/:id/preview: the watermarked PNG rendition of a DICOM frame, decrypted and
 * verified against its recorded hash while it streams. The original is never touched.
 */
export async function servePreview(deps: Deps, req: FastifyRequest, reply: FastifyReply, p: Principal, id: string) {
  const f = await deps.files.mustGet(id);
  await authorize(deps, p, 'file:read_content', f);
  if (!isServable(f.status))
    throw new AppError('FILE_NOT_AVAILABLE', `File is ${f.status}, not available`, {
      details: { fileStatus: f.status },
    });
  const preview = previewOf(f);
  if (!preview) throw new AppError('NOT_FOUND', 'This file has no preview');
  const meta = metaOf(req, p);
  const ctx = { fileId: f._id, ownerId: f.ownerId };
  const { header, totalSize } = await deps.objects.readHeader(preview);
  if (canonicalContext(header.context) !== canonicalContext(ctx))
    return failBefore(deps, f, meta, 'Encryption context does not match the file');
  if (totalSize !== encryptedSize(preview.size, header))
    return failBefore(deps, f, meta, 'Stored object has the wrong size');
  const obj = await deps.objects.getRange(preview);
  const body = chain(
    obj.body,
    [
      createDecryptStream({ keys: deps.keys, expectedContext: ctx }),
      createHashVerifier(preview.sha256!, () => undefined),
    ],
    onStreamEnd(deps, f, meta),
  );
  await deps.files.append(f._id, [
    event(
      deps.clock,
      'file.downloaded',
      { fileId: f._id, ownerId: f.ownerId, patientId: f.patientId, bytes: preview.size, rendition: 'preview' },
      meta,
    ),
  ]);
  deps.outbox.kick();
  return reply
    .header('content-type', 'image/png')
    .header('content-length', String(preview.size))
    .header('repr-digest', `sha-256=:${Buffer.from(preview.sha256!, 'hex').toString('base64')}:`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(body);
}
