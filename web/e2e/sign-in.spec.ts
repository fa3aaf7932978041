import { expect, test } from '@playwright/test';
import { checkPage, createAccount, signIn } from './support';

test.describe('signing in', () => {
  test('a wrong password shows an error and no session', async ({ page, request }) => {
    const a = await createAccount(request, 'patient');
    await page.goto('/files');
    await expect(page).toHaveURL(/\/sign-in$/);
    await checkPage(page, 'sign-in');
    await page.getByLabel('Email').fill(a.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('Wrong email or password');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'mv_session')).toBeUndefined();
  });

  test('the session is an HttpOnly SameSite=Strict cookie and no token reaches script or storage', async ({
    page,
    request,
  }) => {
    const a = await createAccount(request, 'patient');
    await signIn(page, a);
    const session = (await page.context().cookies()).find((c) => c.name === 'mv_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    const visible = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(visible.cookie).not.toContain('mv_session');
    expect(visible.cookie).not.toContain('mv_refresh');
    expect(visible.local).not.toMatch(/eyJ|token/i);
    expect(visible.session).not.toMatch(/eyJ|token/i);
  });

  test('signing out clears the session: the API no longer answers to the old cookie', async ({ page, request }) => {
    const a = await createAccount(request, 'patient');
    await signIn(page, a);
    const before = (await page.context().cookies()).find((c) => c.name === 'mv_session');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    expect((await page.context().cookies()).find((c) => c.name === 'mv_session')).toBeUndefined();
    // The old token itself was revoked, not just forgotten by the browser.
    const r = await request.get('/v1/me', { headers: { cookie: `mv_session=${before?.value}` } });
    expect(r.status()).toBe(401);
  });

  test('an idle console signs itself out', async ({ page, request }) => {
    const a = await createAccount(request, 'patient');
    await page.clock.install();
    await signIn(page, a);
    await page.clock.fastForward('16:00');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  test('a cross-site form cannot act with the session cookie', async ({ page, request, context }) => {
    const a = await createAccount(request, 'patient');
    await signIn(page, a);
    // A foreign site auto-submits a form to the console's sign-out endpoint.
    const target = new URL('/v1/auth/session/logout', page.url()).toString();
    await context.route('http://evil.example/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form id="f" method="post" action="${target}"><input name="x" value="1"></form><script>f.submit()</script>`,
      }),
    );
    const evil = await context.newPage();
    const answer = evil.waitForResponse(target);
    await evil.goto('http://evil.example/');
    expect((await answer).status()).toBe(403);
    // Still signed in: the forged request changed nothing.
    await page.reload();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  });
});
