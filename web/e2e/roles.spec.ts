import { expect, test } from '@playwright/test';
import { checkPage, createAccount, signIn } from './support';

test.describe('role-aware navigation', () => {
  test('a patient sees only the pages a patient can use, and a deep link to another says so', async ({
    page,
    request,
  }) => {
    const patient = await createAccount(request, 'patient');
    await signIn(page, patient);
    const nav = page.getByRole('navigation');
    await expect(nav.getByRole('link')).toHaveText([
      'My files',
      'My appointments',
      'Messages',
      'Notifications',
      'Trash',
    ]);
    await page.goto('/audit');
    await expect(page.getByRole('alert')).toContainText('You do not have access to this page');
    await expect(page.getByRole('table')).toHaveCount(0);
    await page.goto('/admin/users');
    await expect(page.getByRole('alert')).toContainText('You do not have access to this page');
    await checkPage(page, 'forbidden');
  });

  test('compliance sees the audit log and not user management', async ({ page, request }) => {
    const officer = await createAccount(request, 'compliance');
    await signIn(page, officer);
    await expect(page.getByRole('navigation').getByRole('link')).toHaveText(['Audit log', 'Notifications']);
    await page.goto('/admin/users');
    await expect(page.getByRole('alert')).toContainText('You do not have access to this page');
  });
});

test.describe('administration', () => {
  test('an admin lists users and creates a clinician', async ({ page }) => {
    await signIn(page, {
      email: process.env.BOOTSTRAP_ADMIN_EMAIL ?? '',
      password: process.env.BOOTSTRAP_ADMIN_PASSWORD ?? '',
    });
    await page.getByRole('link', { name: 'Users' }).click();
    await expect(page).toHaveTitle('Users · MedVault');
    const users = page.getByRole('table', { name: 'Users' });
    await expect(users.getByRole('row').filter({ hasText: process.env.BOOTSTRAP_ADMIN_EMAIL ?? '' })).toBeVisible();
    const email = `web-admin-created-${Date.now().toString(36)}@e2e.medvault.test`;
    // The form, not the table: every user row has its own "Role of <email>" select.
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Name').fill('Dr Created');
    await form.getByLabel('Email').fill(email);
    await form.getByRole('textbox', { name: 'Initial password', exact: true }).fill(`Created-${Date.now()}-Lantern!`);
    await form.getByRole('combobox', { name: 'Role', exact: true }).click();
    await page.getByRole('listbox').getByRole('option', { name: 'clinician' }).click();
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'User created' })).toBeVisible();
    await expect(users.getByRole('row').filter({ hasText: email })).toContainText('clinician');
    await checkPage(page, 'admin-users');
  });
});
