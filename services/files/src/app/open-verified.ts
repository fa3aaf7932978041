import type { Readable } from 'node:stream';
import { canonicalContext, createDecryptStream, createHashVerifier, encryptedSize } from '@medvault/common/crypto';
import { type EventMeta, event } from '../domain/events.js';
import type { FileRecord, ObjectLocation } from '../domain/file.js';
import type { FilesPorts } from '../domain/ports.js';
import { chain } from '../domain/stream-chain.js';
import { failBefore, onStreamEnd } from './serve-link.js';

export type OpenPorts = Pick<FilesPorts, 'files' | 'objects' | 'keys' | 'clock'> & {
  logger: { error(o: object, m: string): void };
};

/** A stored representation of a file: the original, or one of its derivatives. */
export interface StoredRep {
  location: ObjectLocation;
  size: number;
  sha256: string;
}

/**
 * The plaintext of one stored representation of an authorised, servable file, decrypted and
 * verified against its recorded hash while it streams (a mismatch blocks the file and fails the
 * stream); the read is recorded as a download of `rendition`. Checks the object's encryption
 * context and size before the first byte, so a substituted object fails cleanly.
 */
export async function openVerified(
  ports: OpenPorts,
  f: FileRecord,
  rep: StoredRep,
  rendition: string,
  meta: EventMeta,
  bytes = rep.size,
): Promise<Readable> {
  const ctx = { fileId: f._id, ownerId: f.ownerId };
  const { header, totalSize } = await ports.objects.readHeader(rep.location);
  if (canonicalContext(header.context) !== canonicalContext(ctx))
    return failBefore(ports, f, meta, 'Encryption context does not match the file');
  if (totalSize !== encryptedSize(rep.size, header))
    return failBefore(ports, f, meta, 'Stored object has the wrong size');
  const obj = await ports.objects.getRange(rep.location);
  const body = chain(
    obj.body,
    [createDecryptStream({ keys: ports.keys, expectedContext: ctx }), createHashVerifier(rep.sha256, () => undefined)],
    onStreamEnd(ports, f, meta),
  );
  await ports.files.append(f._id, [
    event(
      ports.clock,
      'file.downloaded',
      { fileId: f._id, ownerId: f.ownerId, patientId: f.patientId, bytes, rendition },
      meta,
    ),
  ]);
  return body;
}
