import { describe, expect, it } from 'vitest';
import { LOCAL_SIG, ZipSniffer } from './zip-sniff.js';

/** A local header prefix: signature, version, flags, method. */
const header = (method = 8) => {
  const b = Buffer.alloc(30);
  LOCAL_SIG.copy(b);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(method, 8);
  return b;
};

function sniff(chunks: Buffer[]) {
  const s = new ZipSniffer(10);
  for (const c of chunks) s.push(c);
  return s.result();
}

describe('ZIP sniffing of a byte stream', () => {
  it('recognises a ZIP at the start and an empty archive', () => {
    expect(sniff([header()]).zipAtStart).toBe(true);
    expect(sniff([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]).zipAtStart).toBe(true);
    expect(sniff([Buffer.from('%PDF-1.4')]).zipAtStart).toBe(false);
  });

  it('recognises the start even when it arrives one byte at a time', () => {
    const h = header();
    expect(sniff([...h].map((x) => Buffer.from([x])))).toMatchObject({ zipAtStart: true, localHeaders: [0] });
  });

  it('finds a local header hidden after a prefix, also when split across chunks', () => {
    const data = Buffer.concat([Buffer.from('MZ stub '.repeat(10)), header()]);
    for (let cut = 1; cut < data.length; cut += 7) {
      const r = sniff([data.subarray(0, cut), data.subarray(cut)]);
      expect(r).toMatchObject({ zipAtStart: false, localHeaders: [80] });
    }
  });

  it('ignores the signature bytes when no extractor could read what follows (unknown method)', () => {
    expect(sniff([Buffer.from('abc'), header(0x4242)]).localHeaders).toEqual([]);
  });

  it('caps the offsets it keeps and says so', () => {
    const r = new ZipSniffer(2);
    for (let i = 0; i < 3; i++) r.push(header());
    expect(r.result()).toMatchObject({ localHeaders: [0, 30], overflow: true, bytes: 90 });
  });
});
