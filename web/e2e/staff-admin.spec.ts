import { expect, test } from '@playwright/test';
import { EICAR } from '../../e2e/support/fixtures';
import { apiUpload, pageAs, untilStatus } from './staff-support';
import { checkPage, createAccount } from './support';

const ADMIN = {
  email: process.env.BOOTSTRAP_ADMIN_EMAIL ?? '',
  password: process.env.BOOTSTRAP_ADMIN_PASSWORD ?? '',
};

test.describe('an admin runs the clinic', () => {
  test('changes a user’s role, then deactivates and reactivates them', async ({ browser, request }) => {
    const someone = await createAccount(request, 'patient', 'Role Changer');
    const page = await pageAs(browser, ADMIN);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Filter users').fill(someone.email);
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: someone.email });
    await row.getByRole('combobox', { name: `Role of ${someone.email}` }).selectOption('clinician');
    await expect(page.getByRole('status').filter({ hasText: 'User updated' })).toBeVisible();
    await expect(row.getByRole('combobox', { name: `Role of ${someone.email}` })).toHaveValue('clinician');
    const me = await request.post('/v1/auth/login', { data: { email: someone.email, password: someone.password } });
    const token = (await me.json()).accessToken as string;
    expect((await (await request.get('/v1/me', { headers: { authorization: `Bearer ${token}` } })).json()).role).toBe(
      'clinician',
    );

    await row.getByRole('button', { name: `Deactivate ${someone.email}` }).click();
    await expect(row).toContainText('Deactivated');
    const refused = await request.post('/v1/auth/login', {
      data: { email: someone.email, password: someone.password },
    });
    expect(refused.ok()).toBe(false);
    await row.getByRole('button', { name: `Reactivate ${someone.email}` }).click();
    await expect(row).toContainText('Active');
    const back = await request.post('/v1/auth/login', { data: { email: someone.email, password: someone.password } });
    expect(back.status()).toBe(200);
  });

  test('sees an infected upload among the held files, with its metadata only, and requests a rescan', async ({
    browser,
    request,
  }) => {
    const patient = await createAccount(request, 'patient', 'Held Owner');
    const name = `eicar-${Date.now().toString(36)}.txt`;
    const fileId = await apiUpload(request, patient, { name, mimeType: 'text/plain', buffer: EICAR });
    await untilStatus(request, patient, fileId, ['infected']);
    const page = await pageAs(browser, ADMIN);
    await page.getByRole('link', { name: 'Held files' }).click();
    await expect(page).toHaveTitle('Held files · MedVault');
    const row = page.getByRole('table', { name: 'Held files' }).getByRole('row').filter({ hasText: name });
    await expect(row).toContainText('Infected');
    await expect(row).toContainText(patient.id);
    await expect(row.getByRole('button', { name: /Download/ })).toHaveCount(0);
    await row.getByRole('button', { name: `Rescan ${name}` }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Rescan requested' })).toBeVisible();
    // Infected stays infected for ever (kept for forensics): the rescan is recorded, not a release.
    await expect(row).toContainText('Infected');
    await checkPage(page, 'staff-held-files');
  });

  test('assigns a patient to a clinician’s care and removes the assignment', async ({ browser, request }) => {
    const clinician = await createAccount(request, 'clinician', `Dr Assign ${Date.now().toString(36)}`);
    const patient = await createAccount(request, 'patient', `Pat Assign ${Date.now().toString(36)}`);
    const page = await pageAs(browser, ADMIN);
    await page.getByRole('link', { name: 'Care assignments' }).click();
    await page.getByRole('combobox', { name: 'Clinician' }).selectOption({ value: clinician.id });
    await expect(page.getByText('No patients assigned to this clinician.')).toBeVisible();
    await page.getByRole('combobox', { name: 'Patient' }).selectOption({ value: patient.id });
    await page.getByRole('button', { name: 'Assign' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Patient assigned' })).toBeVisible();
    const assigned = page.getByRole('table', { name: 'Assigned patients' });
    await expect(assigned.getByRole('row').filter({ hasText: 'Pat Assign' })).toBeVisible();
    await checkPage(page, 'staff-care-assignments');

    // The clinician now has the patient in care, listed by name (the people list names them).
    const doctor = await pageAs(browser, clinician);
    await doctor.getByRole('link', { name: 'My patients' }).click();
    await expect(doctor.getByRole('table', { name: 'Patients in my care' })).toContainText(patient.name);

    await assigned.getByRole('button', { name: /^Unassign Pat Assign/ }).click();
    await expect(page.getByText('No patients assigned to this clinician.')).toBeVisible();
  });

  test('sees every service’s health at a glance', async ({ browser }) => {
    const page = await pageAs(browser, ADMIN);
    await page.getByRole('link', { name: 'Service health' }).click();
    await expect(page).toHaveTitle('Service health · MedVault');
    await expect(page.getByRole('status')).toContainText(/All \d+ services are up\./);
    for (const name of ['gateway', 'files', 'appointments', 'notify', 'audit', 'chat']) {
      await expect(page.getByRole('listitem', { name: `${name}: up` })).toBeVisible();
    }
    await checkPage(page, 'staff-service-health');
  });
});
