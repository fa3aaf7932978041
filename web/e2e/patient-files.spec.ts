import { expect, test } from '@playwright/test';
import { makePng } from '../../e2e/support/fixtures';
import { asUser, chooseFile, fileRow, openPage, sha, tokenOf, uploadAvailable } from './patient-support';
import { type Account, checkPage, createAccount, pickPerson, signIn, uniqueName } from './support';

test.use({ timezoneId: 'UTC', locale: 'en-GB' });

test.describe('a patient uploads, watches, previews, shares, revokes, deletes and restores', () => {
  test('an upload shows its progress and time left, and Cancel stops it: nothing is stored', async ({
    page,
    request,
  }) => {
    const patient = await createAccount(request, 'patient');
    await signIn(page, patient);
    // A slow uplink (Chromium's network emulation) so there is time to watch and cancel.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    await chooseFile(page, 'big-notes.txt', 'text/plain', Buffer.alloc(8 * 1024 * 1024, 'a'));
    const uploads = page.getByRole('list', { name: 'Uploads' });
    // At 0 % the bar's filled part has no width yet: it is there, not necessarily visible.
    await expect(uploads.getByRole('progressbar', { name: 'Upload progress of big-notes.txt' })).toBeAttached();
    await expect(uploads.getByRole('status')).toHaveText(/^\d+% · (\d+ (s|min).* left|estimating…)$/);
    await expect(uploads.getByRole('status')).toHaveText(/ left$/, { timeout: 15_000 });
    await uploads.getByRole('button', { name: 'Cancel upload of big-notes.txt' }).click();
    await expect(uploads.getByRole('status')).toHaveText('Cancelled');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const token = await tokenOf(request, patient);
    const list = await (await request.get('/v1/files', { headers: { authorization: `Bearer ${token}` } })).json();
    expect(list.items.map((f: { name: string }) => f.name)).not.toContain('big-notes.txt');
  });

  test('the list follows the scan live over the notification stream (the browser session opens it)', async ({
    page,
    request,
  }) => {
    const patient = await createAccount(request, 'patient');
    const stream = page.waitForResponse((r) => r.url().endsWith('/v1/notifications/stream'));
    await signIn(page, patient);
    const opened = await stream;
    expect(opened.status()).toBe(200);
    expect(opened.headers()['content-type']).toContain('text/event-stream');
    await chooseFile(page, 'live.png', 'image/png', makePng(40, 30));
    await expect(fileRow(page, 'live.png').getByText('Available')).toBeVisible({ timeout: 90_000 });
    // The same stream fed the inbox: the notification is there without reloading.
    await openPage(page, 'Notifications');
    await expect(page.getByRole('listitem').filter({ hasText: 'A new file is available' })).toBeVisible();
  });

  test.describe
    .serial('one image, from preview to trash and back', () => {
      let patient: Account;
      let clinician: Account;
      const png = makePng(120, 80);

      test.beforeAll(async ({ request }) => {
        patient = await createAccount(request, 'patient');
        clinician = await createAccount(request, 'clinician', uniqueName('Dr Xray'));
        await uploadAvailable(request, await tokenOf(request, patient), 'xray.png', 'image/png', png);
      });

      test('the preview shows the image watermarked, never the original bytes', async ({ page }) => {
        await signIn(page, patient);
        const served = page.waitForResponse((r) => r.url().includes('/v1/links/'));
        await fileRow(page, 'xray.png').getByRole('button', { name: 'Preview xray.png' }).click();
        const dialog = page.getByRole('dialog', { name: 'Preview' });
        const img = dialog.getByRole('img', { name: 'Watermarked preview of xray.png' });
        await expect(img).toBeVisible();
        const res = await served;
        expect(res.status()).toBe(200);
        expect(sha(await res.body())).not.toBe(sha(png));
        await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
        await checkPage(page, 'patient-preview');
        await dialog.getByRole('button', { name: 'Close preview' }).click();
      });

      test('the patient shares the image, sees the share with its expiry, and revokes it', async ({
        page,
        browser,
      }) => {
        await signIn(page, patient);
        await fileRow(page, 'xray.png').getByRole('button', { name: 'Share xray.png' }).click();
        const dialog = page.getByRole('dialog', { name: 'Share with a clinician' });
        await expect(dialog.getByText('Not shared with anyone.')).toBeVisible();
        await pickPerson(page, dialog, 'Clinician', clinician.name);
        await dialog.getByLabel('Expires after (days)').fill('7');
        await dialog.getByRole('button', { name: 'Share', exact: true }).click();
        await expect(dialog.getByRole('status')).toContainText('Shared');
        const shares = dialog.getByRole('list', { name: 'Shared with' });
        await expect(shares.getByRole('listitem')).toHaveCount(1);
        await expect(shares.getByRole('listitem')).toContainText(`${clinician.name} · until`);
        await checkPage(page, 'patient-shares');

        const doctor = await asUser(browser, clinician);
        await doctor.getByRole('link', { name: 'Patient files' }).click();
        await expect(fileRow(doctor, 'xray.png')).toBeVisible();

        await shares.getByRole('button', { name: `Revoke share with ${clinician.name}` }).click();
        await expect(dialog.getByText('Not shared with anyone.')).toBeVisible();
        await doctor.reload();
        await expect(doctor.getByText('No files yet.')).toBeVisible();
      });

      test('deleting moves the file to the trash with the days left; restoring brings it back', async ({ page }) => {
        await signIn(page, patient);
        await fileRow(page, 'xray.png').getByRole('button', { name: 'Delete xray.png' }).click();
        await expect(fileRow(page, 'xray.png')).toHaveCount(0);
        await openPage(page, 'Trash');
        await expect(page).toHaveTitle('Trash · MedVault');
        const row = page.getByRole('table', { name: 'Deleted files' }).getByRole('row').filter({ hasText: 'xray.png' });
        await expect(row).toContainText('30 days left');
        await checkPage(page, 'patient-trash');
        await row.getByRole('button', { name: 'Restore xray.png' }).click();
        await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toBeVisible();
        await expect(page.getByText('The trash is empty.')).toBeVisible();
        await page.getByRole('link', { name: 'My files' }).click();
        await expect(fileRow(page, 'xray.png').getByText('Available')).toBeVisible();
      });
    });
});
