import { expect, test } from '@playwright/test';
import { DLQ_SERVICE, deadLetterDepth, putDeadLetters } from '../../e2e/support/dead-letters';
import { pageAs } from './staff-support';
import { checkPage } from './support';

const ADMIN = {
  email: process.env.BOOTSTRAP_ADMIN_EMAIL ?? '',
  password: process.env.BOOTSTRAP_ADMIN_PASSWORD ?? '',
};

test.describe('an admin looks after the dead letters', () => {
  test('sees a service’s dead letters, redrives them after confirming, and sees the queue empty', async ({
    browser,
  }) => {
    // Letters the gateway's consumer failed (as if): valid events it acknowledges once redriven.
    await putDeadLetters(2);
    const waiting = await deadLetterDepth();
    const page = await pageAs(browser, ADMIN);
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await expect(page).toHaveTitle('Dead letters · MedVault');
    const row = page
      .getByRole('table', { name: 'Dead-letter queues' })
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: DLQ_SERVICE, exact: true }) });
    const count = row.getByRole('cell').nth(1);
    await expect(count).toHaveText(String(waiting));

    await row.getByRole('button', { name: `Redrive ${DLQ_SERVICE}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Redrive dead letters?' });
    await expect(dialog).toContainText(`Send ${waiting} letters of ${DLQ_SERVICE} back to its queue`);
    await dialog.getByRole('button', { name: `Redrive ${DLQ_SERVICE}` }).click();
    await expect(page.getByRole('status').filter({ hasText: `Redrive of ${DLQ_SERVICE}` })).toBeVisible();

    // SQS moves them in the background; Refresh shows the queue empty once it has.
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(count).toHaveText('0', { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await expect(row).toContainText(/Completed .*: \d+ moved/);
    await expect(row.getByRole('button', { name: `Redrive ${DLQ_SERVICE}` })).toBeDisabled();
    expect(await deadLetterDepth()).toBe(0);
    await checkPage(page, 'admin-dead-letters');
  });
});
