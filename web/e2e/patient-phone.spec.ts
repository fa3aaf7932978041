import { expect, test } from '@playwright/test';
import { createAccount, signIn } from './support';

test.use({ viewport: { width: 360, height: 740 } });

test('every patient page fits a 360 px phone without sideways scrolling, through the menu', async ({
  page,
  request,
}) => {
  const patient = await createAccount(request, 'patient');
  await signIn(page, patient);
  for (const [label, heading] of [
    ['My files', 'My files'],
    ['My appointments', 'My appointments'],
    ['Messages', 'Messages'],
    ['Notifications', 'Notifications'],
    ['Trash', 'Trash'],
  ] as const) {
    // On a phone the navigation sits behind the menu button (keyboard: Tab to it, Enter).
    await page.getByRole('button', { name: 'Toggle navigation' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: label }).click();
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${label} is wider than the phone`).toBeLessThanOrEqual(0);
  }
});
