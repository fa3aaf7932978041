import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { type Role, SECTIONS } from '../src/nav';
import { type Account, checkPage, createAccount, signIn } from './support';

const ROLES: Role[] = ['patient', 'clinician', 'admin', 'compliance'];

/** Serious or critical axe violations at the page's current width. */
async function violations(page: import('@playwright/test').Page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((x) => x.target.join(' ')).join(', ')})`);
}

// Every section of the console (headers, title, URL, axe, screenshots), for every role that can use it: the list comes from nav.ts, so a
// page added there is checked here without a line changed.
for (const role of ROLES) {
  const sections = SECTIONS.filter((s) => s.roles.includes(role));
  test.describe(`accessibility of the ${role}'s pages`, () => {
    let account: Account;
    test.beforeAll(async ({ request }) => {
      account = await createAccount(request, role, `A11y ${role}`);
    });

    for (const s of sections) {
      test(`${s.label} (${s.path}) has no serious or critical axe violation at 390 and 1280 px`, async ({ page }) => {
        // Two axe passes and two full-page screenshots (a long audit table at 390 px): slow on a shared machine.
        test.slow();
        await signIn(page, account);
        const refused: string[] = [];
        page.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
        });
        const res = await page.goto(s.path);
        // Served with the console's own strict headers, and nothing on the page needs an exception.
        const h = res?.headers() ?? {};
        expect(h['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
        expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(h['content-security-policy']).toContain("object-src 'none'");
        expect(h['x-content-type-options']).toBe('nosniff');
        expect(h['x-frame-options']).toBe('DENY');
        expect(h['referrer-policy']).toBe('no-referrer');
        await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
        await expect(page.locator('[aria-label^="Loading"]')).toHaveCount(0);
        // The title names the section only (no patient data), the URL is the section's own.
        await expect(page).toHaveTitle(`${s.label} · MedVault`);
        expect(new URL(page.url()).pathname).toBe(s.path);
        await page.setViewportSize({ width: 390, height: 844 });
        expect(await violations(page), `axe at 390 px on ${s.path}`).toEqual([]);
        await page.setViewportSize({ width: 1280, height: 800 });
        await checkPage(page, `${role}${s.path.replaceAll('/', '-')}`);
        expect(refused, 'CSP violations').toEqual([]);
      });
    }
  });
}

test('the sign-in page has no serious or critical axe violation', async ({ page }) => {
  await page.goto('/sign-in');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await checkPage(page, 'sign-in');
});
