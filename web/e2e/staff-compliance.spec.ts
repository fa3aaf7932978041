import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { apiUpload, pageAs, untilStatus } from './staff-support';
import { type Account, checkPage, createAccount } from './support';

// A marker only the file's bytes hold: it must never show up anywhere in the compliance pages.
const MARKER = `CONTENT-ONLY-${Date.now().toString(36)}`;

test.describe
  .serial('compliance searches the audit log, reads a record, verifies the chain and exports', () => {
    let patient: Account;
    let officer: Account;
    let fileId = '';

    test.beforeAll(async ({ request }) => {
      patient = await createAccount(request, 'patient', 'Audit Subject');
      officer = await createAccount(request, 'compliance', 'Olive Officer');
      fileId = await apiUpload(request, patient, {
        name: 'lab-notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(`${MARKER}\n`),
      });
      await untilStatus(request, patient, fileId, ['available']);
    });

    test('finds the upload by resource and by actor, and opens a record showing who, what, when and outcome, never the content', async ({
      browser,
    }) => {
      const page = await pageAs(browser, officer);
      await page.getByLabel('Resource ID').fill(fileId);
      await page.getByRole('button', { name: 'Search' }).click();
      const records = page.getByRole('table', { name: 'Audit records' });
      const uploaded = records.getByRole('row').filter({ hasText: 'file.uploaded' });
      await expect(uploaded.first()).toBeVisible({ timeout: 30_000 });
      await uploaded
        .first()
        .getByRole('button', { name: /Details of record/ })
        .click();
      const detail = page.getByRole('dialog', { name: 'Audit record' });
      const fields = detail.getByRole('table', { name: 'Audit record fields' });
      await expect(fields.getByRole('row', { name: /Actor/ })).toContainText(`${patient.id} (patient)`);
      await expect(fields.getByRole('row', { name: /Resource/ })).toContainText(fileId);
      await expect(fields.getByRole('row', { name: /Outcome/ })).toContainText('success');
      await expect(fields.getByRole('row', { name: /Request ID/ })).not.toBeEmpty();
      await checkPage(page, 'staff-audit-record');
      await expect(page.locator('body')).not.toContainText(MARKER);
      await page.keyboard.press('Escape');
      await expect(detail).toBeHidden();

      // Who: everything the patient did, narrowed to one action.
      await page.getByLabel('Resource ID').fill('');
      await page.getByLabel('Actor (user ID)').fill(patient.id);
      await page.getByLabel('Action').fill('file.uploaded');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(records.getByRole('row')).toHaveCount(2); // the header and the one upload
    });

    test('verifies the chain and shows the result with its checkpoint', async ({ browser }) => {
      const page = await pageAs(browser, officer);
      await page.getByRole('button', { name: 'Verify chain' }).click();
      const result = page.getByRole('status').filter({ hasText: 'Chain intact' });
      await expect(result).toBeVisible({ timeout: 60_000 });
      await expect(result).toContainText('records checked');
      await expect(result).toContainText(/Last signed checkpoint: record \d+|No signed checkpoint yet/);
    });

    test('exports what the search shows as JSON Lines and as CSV, streamed to disk', async ({ browser }) => {
      const page = await pageAs(browser, officer);
      await page.getByLabel('Resource ID').fill(fileId);
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.getByRole('table', { name: 'Audit records' }).getByRole('row').nth(1)).toBeVisible();

      const jsonl = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Export JSONL' }).click();
      const lines = readFileSync(await (await jsonl).path(), 'utf8')
        .trim()
        .split('\n');
      const rows = lines.map((l) => JSON.parse(l) as { action: string; resource?: { id?: string } });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.resource?.id === fileId)).toBe(true);
      expect(rows.map((r) => r.action)).toContain('file.uploaded');

      const csv = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Export CSV' }).click();
      const text = readFileSync(await (await csv).path(), 'utf8');
      expect(text.split('\n')[0]).toContain('action');
      expect(text).toContain(fileId);
      expect(text).not.toContain(MARKER);
    });
  });
