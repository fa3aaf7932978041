import { beforeAll, describe, expect, it } from 'vitest';
import { malwareDoc, zip } from '../services/scanner/test/zip-writer.js';
import { adminToken, call, createUser, type TestUser, upload, waitForStatus } from './support/client.js';
import { makePdf } from './support/fixtures.js';

/**
 * Issue 14, finding 1, through the gateway: a ZIP whose member hides the repo's test signature
 * in a ZIP64 entry (clamd 1.4 alone answers "stream: OK" for it) was released and downloaded.
 * It must end `infected` or `scan_failed`, never `available`, and no link may be issued.
 */
let patient: TestUser;

beforeAll(async () => {
  patient = await createUser(await adminToken(), 'patient');
});

const SETTLED = ['available', 'infected', 'scan_failed'];

async function uploadZip(name: string, content: Buffer) {
  const r = await upload(patient.token, { name, content, type: 'application/zip' });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return { id: r.body.id as string, settled: await waitForStatus(patient.token, r.body.id, SETTLED) };
}

/** No way to the bytes: either no link is issued, or the link's download is refused with no body. */
async function expectNoDownload(id: string, content: Buffer) {
  const link = await call('POST', `/v1/files/${id}/links`, { token: patient.token, json: {} });
  if (link.status === 201) {
    const got = await call('GET', link.body.url, { token: patient.token });
    expect(got.status).toBeGreaterThanOrEqual(400);
    expect(got.raw.includes(content.subarray(0, 64))).toBe(false);
  } else {
    expect(link.status).toBeGreaterThanOrEqual(400);
  }
}

describe('archives the scanner cannot vouch for are never served', () => {
  it('blocks a ZIP64 archive hiding the test signature as infected; it cannot be downloaded', async () => {
    const attack = zip([{ name: 'lab-results.txt', data: malwareDoc(), deflate: true, zip64: true }]);
    const { id, settled } = await uploadZip('results.zip', attack);
    expect(settled.status).toBe('infected');
    await expectNoDownload(id, attack);
  });

  it('blocks a PDF carrying a streamed ZIP64 archive (polyglot) as scan_failed; it cannot be downloaded', async () => {
    // A prefix clamd cannot see past: the upload is a valid PDF to the type check, and the
    // appended archive still opens in zip tools (they skip the prefix).
    const archive = zip([{ name: 'r.txt', data: malwareDoc(), deflate: true, zip64: true, descriptor: true }]);
    const polyglot = Buffer.concat([makePdf('invoice'), archive]);
    const r = await upload(patient.token, { name: 'invoice.pdf', content: polyglot, type: 'application/pdf' });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const settled = await waitForStatus(patient.token, r.body.id, SETTLED);
    expect(settled.status).toBe('scan_failed');
    await expectNoDownload(r.body.id, polyglot);
  });

  it('still releases a clean ZIP64 archive with data descriptors', async () => {
    const fine = zip([
      { name: 'notes.txt', data: Buffer.from('Blood pressure 120/80\n'.repeat(20)), deflate: true, zip64: true },
      { name: 'more.txt', data: Buffer.from('Follow-up in 3 months\n'), deflate: true, descriptor: true },
    ]);
    const { id, settled } = await uploadZip('notes.zip', fine);
    expect(settled.status).toBe('available');
    const link = await call('POST', `/v1/files/${id}/links`, { token: patient.token, json: {} });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
  });
});
