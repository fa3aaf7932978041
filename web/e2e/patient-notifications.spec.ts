import { expect, test } from '@playwright/test';
import { bookByApi, openPage, tokenOf, weekdayAhead } from './patient-support';
import { checkPage, createAccount, signIn } from './support';

test.use({ timezoneId: 'UTC', locale: 'en-GB' });

test('a notification arrives live in the open inbox and can be marked read', async ({ page, request }) => {
  const patient = await createAccount(request, 'patient');
  const clinician = await createAccount(request, 'clinician');
  await signIn(page, patient);
  await openPage(page, 'Notifications');
  await expect(page).toHaveTitle('Notifications · MedVault');
  await expect(page.getByText('No notifications.')).toBeVisible();
  await expect(page.getByText('New notifications appear here as they arrive.')).toBeVisible();

  // The clinician proposes an appointment while the patient looks at the inbox: no reload.
  await bookByApi(request, await tokenOf(request, clinician), clinician.id, patient.id, weekdayAhead(4), '10:00');
  const item = page.getByRole('list', { name: 'Notifications' }).getByRole('listitem').first();
  await expect(item).toContainText('An appointment was booked', { timeout: 15_000 });
  await expect(item.getByText('New')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '1 unread.' })).toBeVisible();
  await checkPage(page, 'patient-notifications');

  await item.getByRole('button', { name: 'Mark read: An appointment was booked' }).click();
  await expect(item.getByText('New')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: '0 unread.' })).toBeVisible();
  // Read on the server, not only on this page.
  const token = await tokenOf(request, patient);
  const inbox = await (
    await request.get('/v1/notifications', { headers: { authorization: `Bearer ${token}` } })
  ).json();
  expect(inbox.items[0].readAt).not.toBeNull();
});
