import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NewThreat, newThreat } from './support/clamd.js';
import {
  adminToken,
  call,
  createUser,
  type TestUser,
  upload,
  waitForNotification,
  waitForStatus,
} from './support/client.js';
import { makePdf } from './support/fixtures.js';

/**
 * A threat discovered after the fact: a file scanned clean and served is found infected when the
 * signature database learns a new threat and an admin rescans. The platform withdraws it.
 */
let admin: string;
let patient: TestUser;
let learned: NewThreat | undefined;

beforeAll(async () => {
  admin = await adminToken();
  patient = await createUser(admin, 'patient', 'Pat Rescan');
});

afterAll(async () => {
  await learned?.remove();
});

describe('a rescan after a signature update', () => {
  it('pulls an available file back as infected and tells the owner and the admins', async () => {
    const threat = newThreat();
    const content = makePdf(`lab report ${threat.marker.toString('latin1')}`);
    const up = await upload(patient.token, { name: 'lab.pdf', content, type: 'application/pdf' });
    expect(up.status, JSON.stringify(up.body)).toBe(202);
    const id = up.body.id as string;
    await waitForStatus(patient.token, id, ['available']);
    const link = await call('POST', `/v1/files/${id}/links`, { token: patient.token, json: {} });
    expect(link.status).toBe(201);
    expect((await call('GET', link.body.url, { token: patient.token })).raw.equals(content)).toBe(true);

    learned = await threat.learn();
    const rescan = await call('POST', `/v1/files/${id}/rescan`, { token: admin, json: {} });
    expect(rescan.status, JSON.stringify(rescan.body)).toBe(202);
    const after = await waitForStatus(patient.token, id, ['infected']);
    expect(after.status).toBe('infected');

    // Withdrawn: no new link, and the link handed out before no longer serves the bytes.
    expect(
      (await call('POST', `/v1/files/${id}/links`, { token: patient.token, json: {} })).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await call('GET', link.body.url, { token: patient.token })).status).toBeGreaterThanOrEqual(400);
    for (const who of [patient.token, admin]) {
      const n = await waitForNotification(who, (x) => x.type === 'file.infected' && x.refs?.fileId === id);
      expect(JSON.stringify(n)).not.toContain(threat.name);
    }
  });
});
