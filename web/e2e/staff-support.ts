import { type APIRequestContext, type Browser, expect } from '@playwright/test';
import { type Account, bearer, signIn } from './support';

/** A signed-in page of its own (own cookies) for one user. */
export async function pageAs(browser: Browser, a: Pick<Account, 'email' | 'password'>) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, a);
  return page;
}

/** Uploads through the API as `a` (multipart: fields first, then the file) and returns the file id. */
export async function apiUpload(
  request: APIRequestContext,
  a: Account,
  file: { name: string; mimeType: string; buffer: Buffer },
  fields: Record<string, string> = {},
): Promise<string> {
  const token = await bearer(request, a.email, a.password);
  const r = await request.post('/v1/files', {
    headers: { authorization: `Bearer ${token}` },
    multipart: { ...fields, file },
  });
  expect(r.status(), await r.text()).toBe(202);
  return (await r.json()).id as string;
}

/** Waits until the file reaches one of the statuses (as its owner sees it). */
export async function untilStatus(request: APIRequestContext, a: Account, fileId: string, want: string[]) {
  const token = await bearer(request, a.email, a.password);
  await expect
    .poll(
      async () => {
        const r = await request.get(`/v1/files/${fileId}`, { headers: { authorization: `Bearer ${token}` } });
        return want.includes((await r.json()).status);
      },
      { timeout: 90_000, intervals: [500, 1000, 2000], message: `file ${fileId} reaches ${want.join(' or ')}` },
    )
    .toBe(true);
}

/**
 * The patient books the clinician's first free slot on the clinician's next working day (from
 * tomorrow, within 10 days) and returns it. The appointments service learns of a new clinician
 * from user.created, so the first answers may be 404.
 */
export async function bookNextFreeSlot(request: APIRequestContext, patient: Account, clinicianId: string) {
  const token = await bearer(request, patient.email, patient.password);
  const headers = { authorization: `Bearer ${token}` };
  const free = (day: string) => request.get(`/v1/clinicians/${clinicianId}/availability?date=${day}`, { headers });
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await expect.poll(async () => (await free(tomorrow())).status(), { timeout: 30_000 }).toBe(200);
  for (let i = 1; i <= 10; i++) {
    const day = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
    const slot = ((await (await free(day)).json()).slots as { start: string; end: string }[])[0];
    if (!slot) continue;
    const r = await request.post('/v1/appointments', {
      headers,
      data: { clinicianId, patientId: patient.id, start: slot.start, end: slot.end },
    });
    expect(r.status(), await r.text()).toBe(201);
    return slot;
  }
  throw new Error('the clinician has no free slot in the next 10 days');
}
