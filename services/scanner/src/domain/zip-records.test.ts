import { describe, expect, it } from 'vitest';
import { type CentralEntry, checkDescriptor, compareLocal, type LocalHeader } from './zip-records.js';

const name = Buffer.from('a.txt');
const central: CentralEntry = {
  nameRaw: name,
  flags: 0,
  method: 8,
  crc32: 0x1234,
  compressedSize: 100,
  uncompressedSize: 300,
  localOffset: 0,
};
const local = (over: Partial<LocalHeader> = {}): LocalHeader => ({
  flags: 0,
  method: 8,
  crc32: 0x1234,
  compressedSize: 100,
  uncompressedSize: 300,
  nameLength: name.length,
  extraLength: 0,
  ...over,
});
const zip64Extra = (u: number, c: number) => {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(1, 0);
  b.writeUInt16LE(16, 2);
  b.writeBigUInt64LE(BigInt(u), 4);
  b.writeBigUInt64LE(BigInt(c), 12);
  return b;
};
const none = Buffer.alloc(0);

describe('local header against central record', () => {
  it('accepts a plain header and a ZIP64 header whose extra field holds the central sizes', () => {
    expect(compareLocal(central, local(), name, none)).toBeNull();
    const z = local({ compressedSize: 0xffffffff, uncompressedSize: 0xffffffff });
    expect(compareLocal(central, z, name, zip64Extra(300, 100))).toBeNull();
  });

  it('accepts a streamed entry with zero sizes/CRC in its header', () => {
    const streamed = { ...central, flags: 8 };
    expect(
      compareLocal(streamed, local({ flags: 8, crc32: 0, compressedSize: 0, uncompressedSize: 0 }), name, none),
    ).toBeNull();
    const z = local({ flags: 8, crc32: 0, compressedSize: 0xffffffff, uncompressedSize: 0xffffffff });
    expect(compareLocal(streamed, z, name, zip64Extra(0, 0))).toBeNull();
  });

  it('refuses different names, methods, flags, sizes, CRCs and ZIP64 markers without sizes', () => {
    expect(compareLocal(central, local(), Buffer.from('b.txt'), none)).toMatch(/names/);
    expect(compareLocal(central, local({ method: 0 }), name, none)).toMatch(/methods/);
    expect(compareLocal(central, local({ flags: 1 }), name, none)).toMatch(/flags/);
    expect(compareLocal(central, local({ uncompressedSize: 7 }), name, none)).toMatch(/sizes/);
    expect(compareLocal(central, local({ crc32: 1 }), name, none)).toMatch(/CRC/);
    const z = local({ compressedSize: 0xffffffff, uncompressedSize: 0xffffffff });
    expect(compareLocal(central, z, name, none)).toMatch(/ZIP64/);
    expect(compareLocal(central, z, name, zip64Extra(301, 100))).toMatch(/sizes/);
  });
});

describe('data descriptors', () => {
  const descriptor = (zip64: boolean, sig: boolean, crc = 0x1234) => {
    const w = zip64 ? 8 : 4;
    const b = Buffer.alloc((sig ? 4 : 0) + 4 + 2 * w);
    let o = 0;
    if (sig) o = b.writeUInt32LE(0x08074b50, 0);
    o = b.writeUInt32LE(crc, o);
    if (zip64) {
      o = b.writeBigUInt64LE(100n, o);
      b.writeBigUInt64LE(300n, o);
    } else {
      o = b.writeUInt32LE(100, o);
      b.writeUInt32LE(300, o);
    }
    return b;
  };

  it('reads 32-bit and ZIP64 descriptors, with or without signature', () => {
    expect(checkDescriptor(central, descriptor(false, true), false)).toEqual({ length: 16 });
    expect(checkDescriptor(central, descriptor(false, false), false)).toEqual({ length: 12 });
    expect(checkDescriptor(central, descriptor(true, true), true)).toEqual({ length: 24 });
  });

  it('refuses a descriptor that disagrees with the central record or is cut short', () => {
    expect(checkDescriptor(central, descriptor(false, true, 9), false).error).toMatch(/differ/);
    expect(checkDescriptor(central, descriptor(true, true).subarray(0, 20), true).error).toMatch(/truncated/);
  });
});
