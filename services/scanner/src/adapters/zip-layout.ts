import type { Readable } from 'node:stream';
import {
  type CentralEntry,
  checkDescriptor,
  compareLocal,
  FLAG_DESCRIPTOR,
  LOCAL_HEADER_SIZE,
  parseLocalHeader,
  usesZip64,
} from '../domain/zip-records.js';
import type { Spool } from './spool.js';

/** A structural disagreement: the archive is refused (never a member name in the message). */
export class LayoutProblem extends Error {}

/** Sequential reader over a stream: take/skip exact byte counts, EOF is a LayoutProblem. */
class ByteCursor {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  position = 0;

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n) {
      const r = await this.it.next();
      if (r.done) return false;
      this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
    return true;
  }

  /** Up to n bytes (fewer only at the end). */
  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.buf.subarray(0, n);
  }

  async take(n: number): Promise<Buffer> {
    if (!(await this.fill(n))) throw new LayoutProblem('archive ends inside a member');
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.position += n;
    return out;
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill(1))) throw new LayoutProblem('archive ends inside a member');
      const k = Math.min(left, this.buf.length);
      this.buf = this.buf.subarray(k);
      left -= k;
      this.position += k;
    }
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

async function readAt(spool: Spool, start: number, length: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of spool.readRange(start, start + length) as AsyncIterable<Buffer>) parts.push(c);
  const b = Buffer.concat(parts);
  if (b.length !== length) throw new LayoutProblem('archive is truncated');
  return b;
}

/**
 * Where the central directory is, from the end record (and its ZIP64 locator), checked to sit
 * exactly before the end record: no bytes may hide between the directory and its end.
 */
export async function centralDirectory(
  spool: Spool,
  commentLength: number,
  recordBytes: number,
): Promise<{ offset: number; size: number }> {
  const eocd = spool.size - 22 - commentLength;
  const end = await readAt(spool, eocd, 22);
  let size = end.readUInt32LE(12);
  let offset = end.readUInt32LE(16);
  let cdEnd = eocd;
  const maxed = offset === 0xffffffff || size === 0xffffffff || end.readUInt16LE(10) === 0xffff;
  // Like yauzl, a ZIP64 locator is honoured whenever present (streaming writers such as
  // Info-ZIP's `zip -` add one even when the 32-bit fields suffice).
  const loc = eocd >= 20 ? await readAt(spool, eocd - 20, 20) : null;
  const hasLocator = loc?.readUInt32LE(0) === 0x07064b50;
  if (maxed && !hasLocator) throw new LayoutProblem('ZIP64 locator missing');
  if (loc && hasLocator) {
    const at = Number(loc.readBigUInt64LE(8));
    const rec = await readAt(spool, at, 56);
    if (rec.readUInt32LE(0) !== 0x06064b50) throw new LayoutProblem('ZIP64 end record missing');
    if (at + 12 + Number(rec.readBigUInt64LE(4)) !== eocd - 20) {
      throw new LayoutProblem('unaccounted bytes around the ZIP64 end record');
    }
    size = Number(rec.readBigUInt64LE(40));
    offset = Number(rec.readBigUInt64LE(48));
    cdEnd = at;
  }
  if (offset + size !== cdEnd) throw new LayoutProblem('unaccounted bytes after the central directory');
  if (size !== recordBytes) throw new LayoutProblem('central directory holds records it does not list');
  return { offset, size };
}

/**
 * The streaming pass over the local headers: from byte 0 to the central directory, every byte
 * must belong to a listed member (header, data, descriptor), in order, with no gaps or
 * overlaps, and every local header must agree with its central record. Returns the members'
 * data ranges (where local-header signatures may legitimately appear: they are scanned as
 * members).
 */
export async function walkLocalHeaders(
  spool: Spool,
  entries: CentralEntry[],
  cdOffset: number,
): Promise<{ dataRanges: [number, number][]; headerOffsets: Set<number> }> {
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  const cursor = new ByteCursor(spool.readRange(0, cdOffset));
  const dataRanges: [number, number][] = [];
  try {
    for (const c of sorted) {
      if (c.localOffset !== cursor.position) throw new LayoutProblem('bytes outside any listed member');
      const h = parseLocalHeader(await cursor.take(LOCAL_HEADER_SIZE));
      if (!h) throw new LayoutProblem('central record points to no local header');
      const name = Buffer.from(await cursor.take(h.nameLength));
      const extra = Buffer.from(await cursor.take(h.extraLength));
      const why = compareLocal(c, h, name, extra);
      if (why) throw new LayoutProblem(why);
      dataRanges.push([cursor.position, cursor.position + c.compressedSize]);
      await cursor.skip(c.compressedSize);
      if (h.flags & FLAG_DESCRIPTOR) {
        const d = checkDescriptor(c, await cursor.peek(24), usesZip64(h, extra, c));
        if (d.error) throw new LayoutProblem(d.error);
        await cursor.skip(d.length);
      }
    }
    if (cursor.position !== cdOffset) throw new LayoutProblem('bytes outside any listed member');
  } finally {
    await cursor.close();
  }
  return { dataRanges, headerOffsets: new Set(sorted.map((c) => c.localOffset)) };
}
