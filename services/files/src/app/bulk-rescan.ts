import type { EventMeta } from '../domain/events.js';
import type { FilesPorts } from '../domain/ports.js';
import { requestRescan } from './request-rescan.js';

/** Numeric versions compare as numbers (ClamAV daily.cvd "27435"), others as strings. */
export function olderVersion(a: string, b: string): boolean {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na < nb : a < b;
}

/**
 * Admin bulk rescan: every scanned file (quarantined ones wait for a scan anyway, infected ones
 * stay infected), or only those last scanned with a database older than the given version.
 */
export async function bulkRescan(
  ports: Pick<FilesPorts, 'files' | 'clock'>,
  opts: { olderThanDatabaseVersion?: string; reason?: string },
  meta: EventMeta,
): Promise<number> {
  let requested = 0;
  let cursor = '';
  for (;;) {
    const page = await ports.files.rescannable(cursor, 200);
    if (page.length === 0) return requested;
    cursor = page[page.length - 1]!._id;
    for (const f of page) {
      const v = opts.olderThanDatabaseVersion;
      if (v && (!f.lastScan || !olderVersion(f.lastScan.databaseVersion, v))) continue;
      if (await requestRescan(ports, f._id, opts.reason ?? 'bulk rescan', meta)) requested++;
    }
  }
}
