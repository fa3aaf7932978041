import { createHash } from 'node:crypto';
import { type APIRequestContext, type Browser, expect, type Page } from '@playwright/test';
import { type Account, bearer, signIn } from './support';

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A signed-in page of its own (a separate browser context: cookies are not shared). */
export async function asUser(browser: Browser, a: Account): Promise<Page> {
  const page = await (await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB' })).newPage();
  await signIn(page, a);
  return page;
}

export async function chooseFile(page: Page, name: string, mimeType: string, buffer: Buffer) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Choose files' }).click();
  await (await chooser).setFiles({ name, mimeType, buffer });
}

export const fileRow = (page: Page, name: string) => page.getByRole('row').filter({ hasText: name });

export const tokenOf = (request: APIRequestContext, a: Account) => bearer(request, a.email, a.password);

/** Uploads through the API (as a set-up step) and waits until the file is available. */
export async function uploadAvailable(
  request: APIRequestContext,
  token: string,
  name: string,
  mimeType: string,
  buffer: Buffer,
): Promise<string> {
  const r = await request.post('/v1/files', {
    headers: { authorization: `Bearer ${token}` },
    multipart: { file: { name, mimeType, buffer } },
  });
  expect(r.status(), await r.text()).toBe(202);
  const id = (await r.json()).id as string;
  await expect
    .poll(
      async () =>
        (await (await request.get(`/v1/files/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()).status,
      { timeout: 90_000 },
    )
    .toBe('available');
  return id;
}

/** A weekday at least `ahead` days from now (clinicians work Monday to Friday by default), as YYYY-MM-DD (UTC). */
export function weekdayAhead(ahead: number): string {
  const d = new Date(Date.now() + ahead * 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Books (or, as a clinician, proposes) an appointment through the API. */
export async function bookByApi(
  request: APIRequestContext,
  token: string,
  clinicianId: string,
  patientId: string,
  day: string,
  time: string,
) {
  const start = new Date(`${day}T${time}:00Z`);
  const end = new Date(start.getTime() + 30 * 60_000);
  const r = await request.post('/v1/appointments', {
    headers: { authorization: `Bearer ${token}` },
    data: { clinicianId, patientId, start: start.toISOString(), end: end.toISOString() },
  });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()) as { id: string; confirmed: boolean };
}

/** Goes to a console page through the navigation, then moves the pointer off it (axe judges the resting page). */
export async function openPage(page: Page, label: string) {
  await page.getByRole('link', { name: label }).click();
  await page.mouse.move(0, 0);
}
