import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { encodeV2 } from './encoding.js';
import { type AuditRecord, GENESIS_HASH, hashOf, type RecordDraft, seal } from './record.js';
import { recordFromLine, segmentLine, verifySegmentBytes } from './segment.js';

const when = new Date('2026-01-02T03:04:05.000Z');
const draft = (i: number): RecordDraft => ({
  eventId: `evt_${i}`,
  type: 'file.downloaded',
  version: 1,
  occurredAt: when.toISOString(),
  source: 'files',
  actor: { userId: 'usr_c', role: 'clinician', ip: '10.0.0.1' },
  action: 'file.downloaded',
  resource: { type: 'file', id: `fil_${i}` },
  patientId: 'usr_p',
  outcome: 'success',
  requestId: `req_${i}`,
  data: { bytes: i, fileId: `fil_${i}`, nested: { b: 'é"\\', a: [1, null, true] } },
});

function chain(n: number, legacyUpTo = 0): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    let r = seal(draft(i), i, prev, when);
    if (i <= legacyUpTo) {
      // A record written before v2: no `hv`, hashed as canonical JSON of everything.
      const { hv: _v, hash: _h, ...rest } = r;
      r = { ...rest, hash: createHash('sha256').update(canonicalJson(rest)).digest('hex') };
    }
    out.push(r);
    prev = r.hash;
  }
  return out;
}
const bytesOf = (rs: AuditRecord[]) => Buffer.from(`${rs.map(segmentLine).join('\n')}\n`);
const expectFor = (rs: AuditRecord[]) => ({
  from: rs[0]!.seq,
  to: rs.at(-1)!.seq,
  firstPrevHash: rs[0]!.prevHash,
  lastHash: rs.at(-1)!.hash,
});

describe('hash scheme v2 (fixed field encoding)', () => {
  it('hashes new records under v2 and still verifies v1 records by their canonical JSON', () => {
    const [legacy, current] = [chain(1, 1)[0]!, chain(1)[0]!];
    expect(legacy.hv).toBeUndefined();
    expect(hashOf(legacy)).toBe(legacy.hash);
    expect(current.hv).toBe(2);
    expect(hashOf(current)).toBe(current.hash);
    expect(hashOf({ ...current, hv: undefined })).not.toBe(current.hash);
  });

  it('gives a different encoding to a changed value, a changed type and an extra member', () => {
    const r = chain(1)[0]!;
    const base = encodeV2(r as never);
    expect(encodeV2({ ...r, outcome: 'denied' } as never)).not.toBe(base);
    expect(encodeV2({ ...r, seq: '1' } as never)).not.toBe(base);
    expect(encodeV2({ ...r, actor: { ...r.actor!, extra: 'x' } } as never)).not.toBe(base);
    expect(encodeV2({ ...r, note: 'added' } as never)).not.toBe(base);
    expect(encodeV2({ ...r, data: { ...r.data, bytes: 2 } } as never)).not.toBe(base);
  });

  it('encodes data the same whatever its key order (stored documents may come back reordered)', () => {
    const r = chain(1)[0]!;
    const reordered = { ...r, data: { nested: { a: [1, null, true], b: 'é"\\' }, fileId: 'fil_1', bytes: 1 } };
    expect(hashOf(reordered)).toBe(r.hash);
  });
});

describe('sealed segment lines', () => {
  it('verifies a segment of v1 and v2 records and gives the records back from their lines', () => {
    const rs = chain(50, 10);
    expect(verifySegmentBytes(bytesOf(rs), expectFor(rs))).toEqual({ checked: 50 });
    const line = segmentLine(rs[3]!);
    expect(recordFromLine(line)).toEqual(rs[3]);
    expect(recordFromLine(segmentLine(rs[30]!))).toEqual(rs[30]);
  });

  it('names an edited line, a removed line, a duplicated line and two swapped lines', () => {
    const rs = chain(20, 5);
    const lines = rs.map(segmentLine);
    const run = (ls: string[]) => verifySegmentBytes(Buffer.from(`${ls.join('\n')}\n`), expectFor(rs)).failure;
    expect(run(lines.map((l, i) => (i === 6 ? l.replace('"success"', '"denied"') : l)))).toEqual({
      seq: 7,
      reason: 'record_altered',
    });
    expect(run(lines.map((l, i) => (i === 2 ? l.replace('"success"', '"denied"') : l)))).toEqual({
      seq: 3,
      reason: 'record_altered',
    });
    expect(run(lines.filter((_, i) => i !== 9))).toEqual({ seq: 10, reason: 'record_missing' });
    expect(run([...lines.slice(0, 5), lines[4]!, ...lines.slice(5)])).toEqual({ seq: 6, reason: 'sequence_tampered' });
    expect(run([...lines.slice(0, 11), lines[12]!, lines[11]!, ...lines.slice(13)])).toEqual({
      seq: 12,
      reason: 'record_missing',
    });
  });

  it('rejects a segment whose ends do not match its digest', () => {
    const rs = chain(10);
    expect(verifySegmentBytes(bytesOf(rs), { ...expectFor(rs), firstPrevHash: 'f'.repeat(64) }).failure).toEqual({
      seq: 1,
      reason: 'chain_broken',
    });
    expect(verifySegmentBytes(bytesOf(rs.slice(0, 9)), expectFor(rs)).failure).toEqual({
      seq: 10,
      reason: 'record_missing',
    });
  });

  it('without re-hashing still names a removed line, a duplicated line, swapped lines and a broken link', () => {
    const rs = chain(20, 5);
    const lines = rs.map(segmentLine);
    const run = (ls: string[]) =>
      verifySegmentBytes(Buffer.from(`${ls.join('\n')}\n`), expectFor(rs), { rehash: false }).failure;
    expect(run(lines)).toBeUndefined();
    expect(run(lines.filter((_, i) => i !== 9))).toEqual({ seq: 10, reason: 'record_missing' });
    expect(run([...lines.slice(0, 5), lines[4]!, ...lines.slice(5)])).toEqual({ seq: 6, reason: 'sequence_tampered' });
    // Line 8 (v2) claims another predecessor: its prevHash no longer names line 7's hash.
    const relinked = lines.map((l, i) => (i === 7 ? l.replace(rs[6]!.hash, 'a'.repeat(64)) : l));
    expect(run(relinked)).toEqual({ seq: 8, reason: 'chain_broken' });
    expect(run(lines.map((l, i) => (i === 2 ? l.replace(rs[1]!.hash, 'a'.repeat(64)) : l)))).toEqual({
      seq: 3,
      reason: 'chain_broken',
    });
  });

  it('without re-hashing accepts an edited line: that case is left to the signed segment hash', () => {
    const rs = chain(10);
    const edited = rs.map(segmentLine).map((l, i) => (i === 4 ? l.replace('"success"', '"denied"') : l));
    const buf = Buffer.from(`${edited.join('\n')}\n`);
    expect(verifySegmentBytes(buf, expectFor(rs), { rehash: false })).toEqual({ checked: 10 });
    expect(verifySegmentBytes(buf, expectFor(rs)).failure).toEqual({ seq: 5, reason: 'record_altered' });
  });
});
