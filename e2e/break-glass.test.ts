import { beforeAll, describe, expect, it } from 'vitest';
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
 * Break-glass (CONTRACT.md, HIPAA 164.312(a)(2)(ii)): a clinician outside the care team opens a
 * time-boxed emergency grant with a reason, reads the patient's file, compliance is told, and
 * the audit log holds the grant and the read.
 */
let admin: string;
let patient: TestUser;
let erDoctor: TestUser;
let compliance: TestUser;

beforeAll(async () => {
  admin = await adminToken();
  patient = await createUser(admin, 'patient', 'Pat Emergency');
  erDoctor = await createUser(admin, 'clinician', 'Dr Emergency');
  compliance = await createUser(admin, 'compliance', 'Comp Emergency');
});

describe('break-glass through the gateway', () => {
  it('opens a grant with a reason, serves the file, notifies compliance and leaves an audit trail', async () => {
    const content = makePdf('allergy list');
    const up = await upload(patient.token, { name: 'allergies.pdf', content, type: 'application/pdf' });
    expect(up.status, JSON.stringify(up.body)).toBe(202);
    const id = up.body.id as string;
    await waitForStatus(patient.token, id, ['available']);
    expect((await call('GET', `/v1/files/${id}`, { token: erDoctor.token })).status).toBe(403);

    const reason = 'Unconscious patient in the ER, need allergy history';
    const shortReason = await call('POST', '/v1/emergency-access', {
      token: erDoctor.token,
      json: { patientId: patient.id, reason: 'urgent' },
    });
    expect(shortReason.status).toBe(400);
    const grant = await call('POST', '/v1/emergency-access', {
      token: erDoctor.token,
      json: { patientId: patient.id, reason },
    });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);
    const link = await call('POST', `/v1/files/${id}/links`, { token: erDoctor.token, json: {} });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    expect((await call('GET', link.body.url, { token: erDoctor.token })).raw.equals(content)).toBe(true);

    const n = await waitForNotification(
      compliance.token,
      (x) => x.type === 'access.emergency_granted' && x.refs?.grantId === grant.body.id,
    );
    expect(JSON.stringify(n)).not.toContain('allergy');
    const deadline = Date.now() + 30_000;
    let actions: string[] = [];
    while (Date.now() < deadline) {
      const r = await call('GET', `/v1/audit/events?actorId=${erDoctor.id}&limit=100`, { token: compliance.token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      actions = r.body.items.map((i: { action: string }) => i.action);
      if (actions.includes('access.emergency_granted') && actions.includes('file.downloaded')) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(actions).toEqual(expect.arrayContaining(['access.emergency_granted', 'file.downloaded']));
  });
});
