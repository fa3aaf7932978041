import type { DependencyCheck } from '@medvault/common/http';
import { databaseAgeSeconds, parseVersion } from '../domain/verdict.js';
import { recordVersion } from './clamav-scanner.js';
import type { ClamdClient } from './clamd.js';

/**
 * Readiness of clamd: PING must answer PONG, and the signature database must not be older
 * than the configured age (checked only when clamd reports the database date: a local test
 * database has none). The details (engine, database version/date/age) show on /health/ready.
 */
export function clamdCheck(clamd: ClamdClient, maxAgeSeconds: number): DependencyCheck {
  return {
    name: 'clamd',
    check: async () => {
      await clamd.ping();
      const v = parseVersion(await clamd.version());
      recordVersion(v);
      const age = databaseAgeSeconds(v, new Date());
      if (age !== undefined && age > maxAgeSeconds) {
        throw new Error(`signature database ${v.databaseVersion} is ${age} s old (max ${maxAgeSeconds} s)`);
      }
      return { ...v, databaseAgeSeconds: age ?? null };
    },
  };
}
