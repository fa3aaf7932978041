import { describe, expect, it } from 'vitest';
import { sniffContentType } from './sniff.js';

const b = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('content sniffing', () => {
  it('recognises DICOM by the DICM marker after the 128-byte preamble', () => {
    expect(sniffContentType(Buffer.concat([Buffer.alloc(128), b('DICM', [2, 0])]), true)).toBe('application/dicom');
  });
  it('recognises JPEG, PNG, both TIFF byte orders, WebP, PDF and ZIP (also empty)', () => {
    expect(sniffContentType(b([0xff, 0xd8, 0xff, 0xe0]), true)).toBe('image/jpeg');
    expect(sniffContentType(b([0x89], 'PNG\r\n\x1a\n'), true)).toBe('image/png');
    expect(sniffContentType(b('II*\x00'), true)).toBe('image/tiff');
    expect(sniffContentType(b('MM\x00*'), true)).toBe('image/tiff');
    expect(sniffContentType(b('RIFF\x10\x00\x00\x00WEBPVP8 '), true)).toBe('image/webp');
    expect(sniffContentType(b('%PDF-1.7\n'), true)).toBe('application/pdf');
    expect(sniffContentType(b('PK\x03\x04'), true)).toBe('application/zip');
    expect(sniffContentType(b('PK\x05\x06', [0, 0, 0, 0]), true)).toBe('application/zip');
  });
  it('accepts UTF-8 text with tabs and newlines, including a character cut by the sample edge', () => {
    expect(sniffContentType(Buffer.from('Blood pressure:\t120/80\r\nÄrztin ✓'), true)).toBe('text/plain');
    const cut = Buffer.from('abc✓').subarray(0, 5);
    expect(sniffContentType(cut, false)).toBe('text/plain');
    expect(sniffContentType(cut, true)).toBeNull();
  });
  it('treats an empty file as plain text', () => {
    expect(sniffContentType(Buffer.alloc(0), true)).toBe('text/plain');
  });
  it('refuses binary data, control characters and RIFF that is not WebP', () => {
    expect(sniffContentType(b('MZ\x90\x00\x03'), true)).toBeNull();
    expect(sniffContentType(b('hello\x1bworld'), true)).toBeNull();
    expect(sniffContentType(b([0xc3, 0x28]), true)).toBeNull();
    expect(sniffContentType(b('RIFF\x10\x00\x00\x00WAVEfmt '), true)).toBeNull();
  });
});
