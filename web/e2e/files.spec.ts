import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { EICAR, makePdf, makePng } from '../../e2e/support/fixtures';
import { type Account, checkPage, createAccount, pickPerson, signIn, uniqueName } from './support';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PDF = makePdf('MedVault web console report');
const PNG = makePng();

async function asUser(browser: Browser, a: Account) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, a);
  return page;
}

/** Drops a file on the drop area the way a browser does (a drop event carrying a DataTransfer). */
async function dropFile(page: Page, name: string, type: string, content: Buffer) {
  const dt = await page.evaluateHandle(
    ({ b64, name, type }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const t = new DataTransfer();
      t.items.add(new File([bytes], name, { type }));
      return t;
    },
    { b64: content.toString('base64'), name, type },
  );
  const zone = page.getByTestId('dropzone');
  await zone.dispatchEvent('dragenter', { dataTransfer: dt });
  await zone.dispatchEvent('drop', { dataTransfer: dt });
}

async function chooseFile(page: Page, name: string, mimeType: string, buffer: Buffer) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Choose files' }).click();
  await (await chooser).setFiles({ name, mimeType, buffer });
}

const row = (page: Page, name: string) => page.getByRole('row').filter({ hasText: name });

async function downloadBytes(page: Page, name: string): Promise<Buffer> {
  const download = page.waitForEvent('download');
  await row(page, name)
    .getByRole('button', { name: `Download ${name}` })
    .click();
  const d = await download;
  expect(d.suggestedFilename()).toBe(name);
  return readFileSync(await d.path());
}

test.describe
  .serial('a patient shares a report with a clinician; compliance finds the download', () => {
    let patient: Account;
    let clinician: Account;
    let compliance: Account;
    let pdfId = '';

    test.beforeAll(async ({ request }) => {
      patient = await createAccount(request, 'patient', 'Pat Web');
      clinician = await createAccount(request, 'clinician', uniqueName('Dr Web'));
      compliance = await createAccount(request, 'compliance', 'Cora Compliance');
    });

    test('the patient uploads a PNG (file picker) and a PDF (drag and drop) and watches them become available', async ({
      page,
    }) => {
      await signIn(page, patient);
      await expect(page).toHaveURL(/\/files$/);
      await expect(page).toHaveTitle('My files · MedVault');
      await chooseFile(page, 'scan.png', 'image/png', PNG);
      await dropFile(page, 'report.pdf', 'application/pdf', PDF);
      const uploads = page.getByRole('list', { name: 'Uploads' });
      await expect(uploads.getByRole('progressbar', { name: 'Upload progress of report.pdf' })).toBeVisible();
      await expect(uploads.getByText('Uploaded, now being scanned')).toHaveCount(2);
      // Live: the list moves on by itself, no reload.
      await expect(row(page, 'report.pdf').getByText('Available')).toBeVisible({ timeout: 90_000 });
      await expect(row(page, 'scan.png').getByText('Available')).toBeVisible({ timeout: 90_000 });
      pdfId = (await row(page, 'report.pdf').getAttribute('data-file-id')) ?? '';
      expect(pdfId).toMatch(/^fil_/);
      await checkPage(page, 'patient-files');
    });

    test('the patient downloads the PDF byte-exact through a signed link the browser streams to disk', async ({
      page,
    }) => {
      await signIn(page, patient);
      expect(sha(await downloadBytes(page, 'report.pdf'))).toBe(sha(PDF));
    });

    test('the patient shares the PDF with the clinician, who sees it and opens it', async ({ page, browser }) => {
      await signIn(page, patient);
      await row(page, 'report.pdf').getByRole('button', { name: 'Share report.pdf' }).click();
      const dialog = page.getByRole('dialog', { name: 'Share with a clinician' });
      await pickPerson(page, dialog, 'Clinician', clinician.name);
      await dialog.getByRole('button', { name: 'Share', exact: true }).click();
      await expect(dialog.getByRole('status')).toContainText('Shared');
      await checkPage(page, 'share-dialog');

      const doctor = await asUser(browser, clinician);
      await doctor.getByRole('link', { name: 'Patient files' }).click();
      await expect(row(doctor, 'report.pdf').getByText('Available')).toBeVisible();
      expect(sha(await downloadBytes(doctor, 'report.pdf'))).toBe(sha(PDF));
      await checkPage(doctor, 'clinician-files');
    });

    test('compliance finds the download in the audit log and verifies the chain', async ({ browser }) => {
      const page = await asUser(browser, compliance);
      await expect(page).toHaveURL(/\/audit$/);
      await page.getByLabel('Resource ID').fill(pdfId);
      await page.getByRole('button', { name: 'Search' }).click();
      const records = page.getByRole('table', { name: 'Audit records' });
      await expect(
        records
          .getByRole('row')
          .filter({ hasText: /download/ })
          .first(),
      ).toBeVisible({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Chain intact' })).toBeVisible({ timeout: 60_000 });
      await checkPage(page, 'audit');
    });
  });

test.describe('what a patient uploads is handled safely', () => {
  test('an EICAR upload shows as infected and offers no download', async ({ page, request }) => {
    const patient = await createAccount(request, 'patient');
    await signIn(page, patient);
    await chooseFile(page, 'eicar.txt', 'text/plain', EICAR);
    await expect(row(page, 'eicar.txt').getByText('Infected')).toBeVisible({ timeout: 90_000 });
    await expect(row(page, 'eicar.txt').getByRole('button', { name: /Download/ })).toHaveCount(0);
    await expect(row(page, 'eicar.txt').getByRole('button', { name: /Share/ })).toHaveCount(0);
  });

  test('a file named with <script> and <img onerror> tags is shown as text and never runs', async ({
    page,
    request,
  }) => {
    const patient = await createAccount(request, 'patient');
    await signIn(page, patient);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // No slash: a name is stored without any path (everything up to the last / is dropped).
    const name = '<img src=x onerror=window.__pwned=1><script>alert(1)<script>.txt';
    await chooseFile(page, name, 'text/plain', Buffer.from('harmless text\n'));
    await expect(row(page, name)).toBeVisible({ timeout: 30_000 });
    await expect(row(page, name).getByText(name, { exact: true })).toBeVisible();
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });
});
