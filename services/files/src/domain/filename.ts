import { AppError } from '@medvault/common/errors';

export const MAX_NAME_LENGTH = 255;

// C0/C1 controls and DEL; bidi embeddings/overrides/isolates and marks (U+202A–U+202E,
// U+2066–U+2069, LRM/RLM/ALM) that make "a\u202Egnp.exe" display as "aexe.png".
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * A display-safe file name. NUL is refused (400) rather than stripped: it only appears in
 * attacks on C string handling, and refusing makes them visible. Everything else is repaired:
 * path parts dropped, controls and bidi characters removed, length capped (keeping the
 * extension). The result is only ever a label: storage keys never derive from it.
 */
export function sanitizeFileName(raw: string | undefined): string {
  if (raw === undefined) return 'unnamed';
  if (raw.includes('\u0000'))
    throw new AppError('BAD_REQUEST', 'File name must not contain NUL bytes', { details: { field: 'filename' } });
  let name = raw.normalize('NFC').replace(CONTROL, '').replace(BIDI, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.trim().replace(/^\.+/, '');
  if (name === '') return 'unnamed';
  return truncate(name, MAX_NAME_LENGTH);
}

/** Caps the name at `max` code points, keeping a short extension visible. */
function truncate(name: string, max: number): string {
  const chars = [...name];
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? [...name.slice(dot)] : [];
  if (ext.length > 0 && ext.length <= 16) return chars.slice(0, max - ext.length).join('') + ext.join('');
  return chars.slice(0, max).join('');
}
