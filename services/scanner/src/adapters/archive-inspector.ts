import { pipeline, type Readable, Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { AppError } from '@medvault/common/errors';
import yauzl from 'yauzl';
import type { ArchiveFinding, ScanReport } from '../domain/verdict.js';
import type { CentralEntry } from '../domain/zip-records.js';
import { ZipSniffer } from '../domain/zip-sniff.js';
import type { ClamdClient } from './clamd.js';
import { Spool } from './spool.js';
import { centralDirectory, LayoutProblem, walkLocalHeaders } from './zip-layout.js';

export interface ArchiveLimits {
  /** Members in all nested archives of one file together. */
  maxEntries: number;
  /** Archive nesting levels (the uploaded ZIP is level 1). */
  maxDepth: number;
  /** Largest uncompressed/compressed ratio of a member above 1 MiB. */
  maxRatio: number;
  /** Uncompressed bytes of all members of one file together. */
  maxExpandedBytes: number;
  /** Where the encrypted spool files go. */
  tmpDir: string;
}

/** One file's scan: replies, findings and the budget shared by all nesting levels. */
interface Walk {
  clamd: ClamdClient;
  limits: ArchiveLimits;
  report: ScanReport;
  entries: number;
  expanded: number;
  bytes: number;
}

const RATIO_FLOOR = 1024 * 1024;
const finding = (kind: ArchiveFinding['kind'], code: string, message: string): ArchiveFinding => ({
  kind,
  code: `MedVault.Archive.${code}`,
  message,
});
const limit = (what: string, message: string) => finding('unscannable', `Limits.Exceeded.${what}`, message);

/**
 * Scans a file with clamd and, when it is a ZIP, checks the archive and scans every member on
 * its own (recursively for nested ZIPs). clamd alone silently skips members it cannot parse
 * (measured on 1.4.6: ZIP64 local headers, streamed entries behind a prefix, entries missing
 * from the central directory): those reached clamd as "stream: OK". Here each member's
 * inflated content is sent to clamd as a plain stream, so the container no longer matters.
 */
export async function scanWithArchives(
  clamd: ClamdClient,
  limits: ArchiveLimits,
  source: Readable,
  maxBytes: number,
): Promise<ScanReport & { bytes: number }> {
  const walk: Walk = {
    clamd,
    limits,
    report: { replies: [], findings: [], layers: [] },
    entries: 0,
    expanded: 0,
    bytes: 0,
  };
  await scanLayer(walk, source, maxBytes, 1);
  return { ...walk.report, dicomPart10: walk.report.layers?.[0] === 'dicom', bytes: walk.bytes };
}

/** The first 132 bytes tell a DICOM Part 10 stream (preamble + "DICM"), see tolerateDicomPreamble. */
const DICOM_HEAD = 132;
const isDicomHead = (head: Buffer) => head.length >= DICOM_HEAD && head.toString('latin1', 128, 132) === 'DICM';

/** Streams one layer to clamd once, spooling it (encrypted) only when it starts like a ZIP. */
async function scanLayer(w: Walk, source: Readable, maxBytes: number, level: number): Promise<void> {
  const sniffer = new ZipSniffer(w.limits.maxEntries + 1);
  const canRecurse = level <= w.limits.maxDepth;
  // Mutated from the stream callbacks; a plain object so TypeScript does not narrow it away.
  const st: { head: Buffer[]; spool: Spool | null; decided: boolean; complete: boolean; first: Buffer } = {
    head: [],
    spool: null,
    decided: false,
    complete: false,
    first: Buffer.alloc(0),
  };
  const decide = async (force: boolean) => {
    const first = Buffer.concat(st.head);
    if (!force && first.length < 4) return;
    st.decided = true;
    st.head = [];
    if (canRecurse && sniffer.result().zipAtStart) {
      st.spool = await Spool.create(w.limits.tmpDir);
      await st.spool.write(first);
    }
  };
  const tee = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sniffer.push(chunk);
      if (st.first.length < DICOM_HEAD)
        st.first = Buffer.concat([st.first, chunk.subarray(0, DICOM_HEAD - st.first.length)]);
      let step: Promise<void> | undefined;
      if (st.decided) step = st.spool?.write(chunk);
      else {
        st.head.push(chunk);
        step = decide(false);
      }
      Promise.resolve(step).then(() => cb(null, chunk), cb);
    },
    flush(cb) {
      (st.decided ? Promise.resolve() : decide(true)).then(() => {
        st.complete = true;
        cb();
      }, cb);
    },
  });
  try {
    const r = await w.clamd.scanStream(
      pipeline(source, tee, () => undefined),
      maxBytes,
    );
    w.bytes += r.bytes;
    w.report.replies.push(r.reply);
    // clamd answered before the end (its own limit): stop the download/inflation behind it.
    if (!st.complete) source.destroy();
    const s = sniffer.result();
    // 'zip' only when every member is about to be scanned on its own (see tolerateDicomPreamble).
    const inspected = s.zipAtStart && canRecurse && st.complete && st.spool !== null;
    w.report.layers?.push(inspected ? 'zip' : isDicomHead(st.first) ? 'dicom' : 'other');
    if (!s.zipAtStart) {
      // A ZIP inside something else: clamd parses it from the middle, we cannot vouch for it.
      if (s.localHeaders.length > 0)
        w.report.findings.push(finding('broken', 'Embedded', 'ZIP data inside a non-ZIP file'));
      return;
    }
    if (!canRecurse) {
      w.report.findings.push(limit('Depth', `archives nested deeper than ${w.limits.maxDepth} levels`));
      return;
    }
    if (!st.complete || !st.spool) {
      if (r.reply === 'stream: OK') w.report.findings.push(finding('broken', 'Broken', 'archive not read to its end'));
      return;
    }
    await inspectZip(w, st.spool, s.localHeaders, s.overflow, maxBytes, level);
  } finally {
    await st.spool?.dispose();
  }
}

function centralOf(e: yauzl.Entry): CentralEntry {
  return {
    nameRaw: e.fileNameRaw,
    flags: e.generalPurposeBitFlag,
    method: e.compressionMethod,
    crc32: e.crc32,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    localOffset: e.relativeOffsetOfLocalHeader,
  };
}

/** Errors that say nothing about the archive (clamd/disk down): retried, never a verdict. */
function isTransient(e: unknown): boolean {
  if (AppError.is(e)) return e.retryable;
  return typeof e === 'object' && e !== null && 'syscall' in e;
}

async function inspectZip(
  w: Walk,
  spool: Spool,
  signatures: number[],
  overflow: boolean,
  maxBytes: number,
  level: number,
): Promise<void> {
  const broken = (message: string) => w.report.findings.push(finding('broken', 'Broken', message));
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(spool.reader(), spool.size, {
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (e) {
    if (isTransient(e)) throw e;
    return void broken('archive cannot be read');
  }
  try {
    const entries: yauzl.Entry[] = [];
    let recordBytes = 0;
    for await (const e of zip.eachEntry()) {
      if (++w.entries > w.limits.maxEntries) {
        return void w.report.findings.push(limit('Entries', `more than ${w.limits.maxEntries} archive members`));
      }
      entries.push(e);
      recordBytes += 46 + e.fileNameLength + e.extraFieldLength + e.fileCommentLength;
    }
    const centrals = entries.map(centralOf);
    const cd = await centralDirectory(spool, Buffer.byteLength(zip.comment), recordBytes);
    const { dataRanges, headerOffsets } = await walkLocalHeaders(spool, centrals, cd.offset);
    if (overflow) return void w.report.findings.push(limit('Entries', 'too many embedded ZIP headers'));
    const stray = signatures.some((p) => !headerOffsets.has(p) && !dataRanges.some(([a, b]) => p >= a && p < b));
    if (stray) {
      return void w.report.findings.push(
        finding('broken', 'Mismatch', 'a local header the central directory does not list'),
      );
    }
    for (const e of entries) await scanMember(w, zip, e, maxBytes, level);
  } catch (e) {
    if (isTransient(e)) throw e;
    if (e instanceof LayoutProblem) w.report.findings.push(finding('broken', 'Mismatch', e.message));
    else broken('archive structure is invalid');
  } finally {
    zip.close();
  }
}

async function scanMember(w: Walk, zip: yauzl.ZipFile, e: yauzl.Entry, maxBytes: number, level: number) {
  const push = (f: ArchiveFinding) => w.report.findings.push(f);
  if (e.isEncrypted()) return push(finding('unscannable', 'Encrypted', 'encrypted archive member'));
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
    return push(finding('unscannable', 'Unsupported', `compression method ${e.compressionMethod}`));
  }
  if (e.uncompressedSize > RATIO_FLOOR && e.uncompressedSize > w.limits.maxRatio * Math.max(1, e.compressedSize)) {
    return push(limit('Ratio', `member expands more than ${w.limits.maxRatio} times`));
  }
  w.expanded += e.uncompressedSize;
  if (w.expanded > w.limits.maxExpandedBytes || e.uncompressedSize > maxBytes) {
    return push(limit('Size', `archive expands beyond ${Math.min(w.limits.maxExpandedBytes, maxBytes)} bytes`));
  }
  if (e.uncompressedSize === 0 && e.compressedSize === 0) return;
  try {
    const data = await zip.openReadStreamPromise(e);
    let crc = 0;
    const check = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        crc = crc32(chunk, crc);
        cb(null, chunk);
      },
      flush(cb) {
        cb(crc >>> 0 === e.crc32 >>> 0 ? null : new LayoutProblem('member CRC-32 mismatch'));
      },
    });
    await scanLayer(
      w,
      pipeline(data, check, () => undefined),
      maxBytes,
      level + 1,
    );
  } catch (err) {
    if (isTransient(err)) throw err;
    if (AppError.is(err) && err.code === 'PAYLOAD_TOO_LARGE')
      return push(limit('Size', 'member exceeds the scan limit'));
    push(finding('broken', 'Broken', err instanceof LayoutProblem ? err.message : 'member data is corrupt'));
  }
}
