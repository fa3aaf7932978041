import type { Readable } from 'node:stream';
import { AppError } from '@medvault/common/errors';
import {
  type DicomHeaderReader,
  type DicomJsonDataset,
  HEADER_PREFIX_BYTES,
  type Instance,
} from '../domain/dicomweb.js';
import type { EventMeta } from '../domain/events.js';
import { type OpenPorts, openVerified } from './open-verified.js';

/** The original DICOM of an instance, as uploaded (never altered), verified while it streams. */
export function openInstance(ports: OpenPorts, i: Instance, meta: EventMeta): Promise<Readable> {
  return openVerified(ports, i, { location: i.location, size: i.size, sha256: i.sha256 }, 'original', meta);
}

/** Reads at most `max` bytes of a stream, then lets it go (destroyed: the rest is never fetched). */
async function prefixOf(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of stream as AsyncIterable<Buffer>) {
      chunks.push(c);
      size += c.length;
      if (size >= max) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max);
}

/**
 * WADO-RS metadata (PS3.18 10.4.1.1.2): each instance's header in the DICOM JSON model, parsed from
 * the first bytes of its original (up to the pixel data; bulk data left out). Recorded as a
 * download of the 'metadata' rendition: the header is the patient's data too.
 */
export async function readMetadata(
  ports: OpenPorts & { dicomHeaders: DicomHeaderReader },
  instances: Instance[],
  meta: EventMeta,
): Promise<DicomJsonDataset[]> {
  const out: DicomJsonDataset[] = [];
  for (const i of instances) {
    const bytes = Math.min(i.size, HEADER_PREFIX_BYTES);
    const stream = await openVerified(
      ports,
      i,
      { location: i.location, size: i.size, sha256: i.sha256 },
      'metadata',
      meta,
      bytes,
    );
    const prefix = await prefixOf(stream, bytes);
    try {
      out.push(ports.dicomHeaders.read(prefix));
    } catch (e) {
      if (!AppError.is(e) || e.code !== 'UNPROCESSABLE') throw e;
      // An indexed instance whose header no longer parses: answer what the index knows.
      out.push({ '00080018': { vr: 'UI', Value: [i.dicom.sopInstanceUid] } });
    }
  }
  return out;
}
