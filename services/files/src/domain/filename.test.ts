import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, sanitizeFileName } from './filename.js';

describe('file name sanitising', () => {
  it('drops path parts so a name can never climb directories', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\x\\scan.pdf')).toBe('scan.pdf');
    expect(sanitizeFileName('..')).toBe('unnamed');
  });
  it('removes bidi overrides that disguise extensions, and control characters', () => {
    expect(sanitizeFileName('a\u202Egnp.exe')).toBe('agnp.exe');
    expect(sanitizeFileName('x\u2066y\u2069z\r\n\t.txt')).toBe('xyz.txt');
  });
  it('refuses NUL bytes', () => {
    expect(() => sanitizeFileName('report.pdf\u0000.exe')).toThrow(/NUL/);
  });
  it('caps long names at 255 characters keeping the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(10_000)}.pdf`);
    expect([...name].length).toBe(MAX_NAME_LENGTH);
    expect(name.endsWith('.pdf')).toBe(true);
  });
  it('names a missing or empty name "unnamed"', () => {
    expect(sanitizeFileName(undefined)).toBe('unnamed');
    expect(sanitizeFileName('  ')).toBe('unnamed');
  });
});
