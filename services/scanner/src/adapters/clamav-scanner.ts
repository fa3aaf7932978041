import type { Readable } from 'node:stream';
import { counter, gauge, histogram } from '@medvault/common/http';
import type { VirusScanner } from '../domain/ports.js';
import { databaseAgeSeconds, type EngineVersion, parseVersion, type ScanReport } from '../domain/verdict.js';
import { type ArchiveLimits, scanWithArchives } from './archive-inspector.js';
import type { ClamdClient } from './clamd.js';

export const dbVersionGauge = gauge(
  'clamav_database_version',
  'ClamAV signature database version reported by clamd (0 = none reported)',
);
export const dbAgeGauge = gauge('clamav_database_age_seconds', 'Age of the ClamAV signature database (-1 = unknown)');
export const verdictsTotal = counter('scanner_verdicts_total', 'Scan verdicts published', ['verdict']);
export const outcomesTotal = counter('scanner_requests_total', 'Scan requests by outcome', ['outcome']);
export const scanSeconds = histogram(
  'scanner_scan_duration_seconds',
  'Time to fetch, decrypt and scan one file',
  [],
  [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
);
export const scanBytes = counter('scanner_scanned_bytes_total', 'Plaintext bytes streamed to clamd');

/** Publishes what clamd reports about its database to the metrics (readiness reads it too). */
export function recordVersion(v: EngineVersion, now = new Date()): void {
  dbVersionGauge.set(Number(v.databaseVersion) || 0);
  dbAgeGauge.set(databaseAgeSeconds(v, now) ?? -1);
}

/** VirusScanner port on top of clamd plus the scanner's own ZIP check, with metrics. */
export class ClamavScanner implements VirusScanner {
  constructor(
    private readonly clamd: ClamdClient,
    private readonly limits: ArchiveLimits,
  ) {}

  async scan(stream: Readable, maxBytes: number): Promise<ScanReport> {
    const end = scanSeconds.startTimer();
    try {
      const { bytes, ...report } = await scanWithArchives(this.clamd, this.limits, stream, maxBytes);
      scanBytes.inc(bytes);
      return report;
    } finally {
      end();
    }
  }

  async version(): Promise<EngineVersion> {
    const v = parseVersion(await this.clamd.version());
    recordVersion(v);
    return v;
  }
}
