/**
 * Content-type sniffing from the first bytes of a file. The client's Content-Type is never
 * trusted: a renamed executable must not become "image/png" because the browser said so.
 */

/** Bytes the sniffer wants before deciding (DICOM needs 132; text gets a larger sample). */
export const SNIFF_BYTES = 1024;

const ascii = (s: string) => Buffer.from(s, 'latin1');
const startsWith = (buf: Buffer, sig: Buffer, at = 0) =>
  buf.length >= at + sig.length && buf.subarray(at, at + sig.length).equals(sig);

const SIGNATURES: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'application/dicom', test: (b) => startsWith(b, ascii('DICM'), 128) },
  { type: 'image/jpeg', test: (b) => startsWith(b, Buffer.from([0xff, 0xd8, 0xff])) },
  { type: 'image/png', test: (b) => startsWith(b, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  {
    type: 'image/tiff',
    test: (b) =>
      startsWith(b, Buffer.from([0x49, 0x49, 0x2a, 0x00])) || startsWith(b, Buffer.from([0x4d, 0x4d, 0x00, 0x2a])),
  },
  { type: 'image/webp', test: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8) },
  { type: 'application/pdf', test: (b) => startsWith(b, ascii('%PDF-')) },
  { type: 'application/zip', test: (b) => startsWith(b, ascii('PK\x03\x04')) || startsWith(b, ascii('PK\x05\x06')) },
];

/** Control characters other than tab, LF, CR mark binary data. */
function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

function isText(sample: Buffer, complete: boolean): boolean {
  try {
    // stream:true lets a multi-byte character cut by the sample boundary pass; fatal rejects the rest.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete });
    return !hasControlChars(text);
  } catch {
    return false;
  }
}

/**
 * The real type of a file from its first bytes (`complete` when the sample is the whole
 * file). Null when nothing matches. An empty file counts as (empty) plain text.
 */
export function sniffContentType(sample: Buffer, complete: boolean): string | null {
  for (const s of SIGNATURES) if (s.test(sample)) return s.type;
  return isText(sample, complete) ? 'text/plain' : null;
}
