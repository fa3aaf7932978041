import { AppError } from '@medvault/common/errors';

/**
 * Parses a single `Range: bytes=a-b` / `bytes=a-` / `bytes=-n` against a size. Returns null
 * for no header (or a multi-range, served whole per RFC 9110 §14.2's "MAY ignore");
 * unsatisfiable → 416 with `Content-Range: bytes * /size`.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) {
    if (/^bytes=.*,/.test(header)) return null;
    throw unsatisfiable(size);
  }
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '' && b === '') throw unsatisfiable(size);
  if (a === '') {
    const n = Number(b);
    if (n === 0) throw unsatisfiable(size);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (!Number.isSafeInteger(start) || start >= size || end < start) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number) {
  return new AppError('RANGE_NOT_SATISFIABLE', 'Range not satisfiable', {
    headers: { 'content-range': `bytes */${size}` },
  });
}
