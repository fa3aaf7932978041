import type { Principal } from '@medvault/common/auth';
import { describe, expect, it } from 'vitest';
import { decideMany } from './access.js';

const NOW = new Date('2026-06-01T10:00:00Z');
const clinician: Principal = { userId: 'usr_doc', role: 'clinician', jti: 'j', iat: 0, exp: 1 };

const file = (patientId: string) => ({ ownerId: patientId, uploadedBy: patientId, patientId, shares: [] });

/** In-memory relations that count the lookups made. */
function relations(care: string[], granted: string[]) {
  const calls = { inCareOf: 0, grantedPatients: 0, perFile: 0 };
  const projections = {
    inCareOf: async (_: string, ids: string[]) => {
      calls.inCareOf++;
      return new Set(ids.filter((p) => care.includes(p)));
    },
    inCare: async () => {
      calls.perFile++;
      return false;
    },
  };
  const grants = {
    grantedPatients: async (_: string, ids: string[]) => {
      calls.grantedPatients++;
      return new Set(ids.filter((p) => granted.includes(p)));
    },
    allows: async () => {
      calls.perFile++;
      return false;
    },
  };
  return { ports: { projections, grants, clock: { now: () => NOW } }, calls };
}

describe('deciding access for a list of files', () => {
  it('allows by care, then by break-glass grant, else refuses, with one lookup of each kind for the whole list', async () => {
    const { ports, calls } = relations(['usr_a'], ['usr_b']);
    const files = [file('usr_a'), file('usr_b'), file('usr_c'), file('usr_b')];
    const d = await decideMany(ports, clinician, 'file:read_content', files);
    expect(d.map((x) => x.allowed)).toEqual([true, true, false, true]);
    expect(d[1]!.reason).toBe('break-glass grant');
    expect(calls).toEqual({ inCareOf: 1, grantedPatients: 1, perFile: 0 });
  });

  it('never looks up grants when care allows every file', async () => {
    const { ports, calls } = relations(['usr_a'], []);
    await decideMany(ports, clinician, 'file:read_metadata', [file('usr_a'), file('usr_a')]);
    expect(calls.grantedPatients).toBe(0);
  });
});
