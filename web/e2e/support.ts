import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, expect, type Locator, type Page } from '@playwright/test';
import { RESULTS } from '../playwright.config';

export interface Account {
  id: string;
  email: string;
  password: string;
  role: 'admin' | 'clinician' | 'patient' | 'compliance';
  /** The display name people pick them by. */
  name: string;
}

const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let n = 0;

export async function bearer(request: APIRequestContext, email: string, password: string): Promise<string> {
  const r = await request.post('/v1/auth/login', { data: { email, password } });
  expect(r.status(), `login of ${email}`).toBe(200);
  return (await r.json()).accessToken as string;
}

export const adminLogin = (request: APIRequestContext) =>
  bearer(request, process.env.BOOTSTRAP_ADMIN_EMAIL ?? '', process.env.BOOTSTRAP_ADMIN_PASSWORD ?? '');

/** A fresh user of the given role, created through the admin API (as an admin would). */
export async function createAccount(
  request: APIRequestContext,
  role: Account['role'],
  name = `Web ${role}`,
): Promise<Account> {
  const admin = await adminLogin(request);
  const email = `web-${role}-${stamp}-${n++}@e2e.medvault.test`;
  const password = `Web-${stamp}-Harbor-${n}!`;
  const r = await request.post('/v1/users', {
    headers: { authorization: `Bearer ${admin}` },
    data: { email, password, role, name },
  });
  expect(r.status(), await r.text()).toBe(201);
  return { id: (await r.json()).id as string, email, password, role, name };
}

/** A display name no other run on this stack has (the people picker lists every active clinician). */
export const uniqueName = (name: string) => `${name} ${stamp}${n++}`;

/**
 * Picks a person by name in a people picker (GET /v1/people behind it), as a person would: types
 * part of the name, then chooses the option. The options open in a portal, so they are looked
 * up on the page, not inside `scope`.
 */
export async function pickPerson(page: Page, scope: Page | Locator, label: string, name: string) {
  const box = scope.getByRole('combobox', { name: label });
  await box.fill(name);
  await page.getByRole('option', { name, exact: true }).click();
  await expect(box).toHaveValue(name);
}

/** Signs in through the console's form, as a person would. */
export async function signIn(page: Page, a: Pick<Account, 'email' | 'password'>) {
  await page.goto('/');
  await page.getByLabel('Email').fill(a.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/**
 * The page has no serious or critical accessibility violations (axe), and screenshots of it at
 * phone (390 px) and desktop (1280 px) widths are kept under .local/test-results/screenshots.
 */
export async function checkPage(page: Page, name: string) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((x) => x.target.join(' ')).join(', ')})`);
  expect(bad, `axe violations on ${name}`).toEqual([]);
  const dir = `${RESULTS}screenshots`;
  mkdirSync(dir, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    // The layout slides (navbar, drawers) when the width changes: let CSS transitions finish first.
    await page.evaluate(async () => {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined)));
    });
    await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize(size);
}
