import { expect, type Page, test } from '@playwright/test';
import { bookByApi, openPage, tokenOf, weekdayAhead } from './patient-support';
import { type Account, checkPage, createAccount, pickPerson, signIn, uniqueName } from './support';

test.use({ timezoneId: 'UTC', locale: 'en-GB' });

const table = (page: Page) => page.getByRole('table', { name: 'My appointments' });
const rowAt = (page: Page, time: string) => table(page).getByRole('row').filter({ hasText: time });

async function pickSlot(scope: ReturnType<Page['locator']> | Page, day: string, slot: string) {
  await scope.getByLabel('Day').fill(day);
  const slots = scope.getByRole('group', { name: 'Free slots' });
  // The chip's label is what a person clicks (the radio inside it is visually hidden, still focusable).
  await slots.getByText(slot, { exact: true }).click();
  await expect(slots.getByRole('radio', { name: slot })).toBeChecked();
}

test.describe
  .serial('a patient manages appointments in the console', () => {
    let patient: Account;
    let clinician: Account;
    const day = weekdayAhead(3);
    const other = weekdayAhead(5);

    test.beforeAll(async ({ request }) => {
      patient = await createAccount(request, 'patient');
      clinician = await createAccount(request, 'clinician', uniqueName('Dr Booker'));
    });

    test("books one of the clinician's free slots", async ({ page }) => {
      await signIn(page, patient);
      await openPage(page, 'My appointments');
      await expect(page).toHaveTitle('My appointments · MedVault');
      await expect(page.getByText('No upcoming appointments.')).toBeVisible();
      await pickPerson(page, page, 'Clinician', clinician.name);
      await page.getByLabel('Reason (optional)').fill('Follow-up');
      await pickSlot(page, day, '09:00–09:30');
      await page.getByRole('button', { name: 'Book', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Booked:' })).toBeVisible();
      await expect(rowAt(page, '09:00–09:30').getByText('Booked')).toBeVisible();
      // The slot is taken now: it is no longer offered.
      await expect(page.getByRole('radio', { name: '09:00–09:30' })).toHaveCount(0);
      await checkPage(page, 'patient-appointments');
    });

    test('reschedules it to another day and time', async ({ page }) => {
      await signIn(page, patient);
      await openPage(page, 'My appointments');
      await rowAt(page, '09:00–09:30')
        .getByRole('button', { name: /^Reschedule appointment on / })
        .click();
      const dialog = page.getByRole('dialog', { name: 'Reschedule appointment' });
      await pickSlot(dialog, other, '14:00–14:30');
      await dialog.getByRole('button', { name: 'Move here' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Moved to' })).toBeVisible();
      await expect(rowAt(page, '14:00–14:30')).toBeVisible();
      await expect(rowAt(page, '09:00–09:30')).toHaveCount(0);
    });

    test('cancels it', async ({ page }) => {
      await signIn(page, patient);
      await openPage(page, 'My appointments');
      await rowAt(page, '14:00–14:30')
        .getByRole('button', { name: /^Cancel appointment on / })
        .click();
      await expect(rowAt(page, '14:00–14:30').getByText('Cancelled')).toBeVisible();
      await expect(rowAt(page, '14:00–14:30').getByRole('button')).toHaveCount(0);
    });

    test('confirms a booking the clinician proposed, which then counts as booked', async ({ page, request }) => {
      const proposed = await bookByApi(
        request,
        await tokenOf(request, clinician),
        clinician.id,
        patient.id,
        day,
        '11:00',
      );
      expect(proposed.confirmed).toBe(false);
      await signIn(page, patient);
      await openPage(page, 'My appointments');
      const row = rowAt(page, '11:00–11:30');
      await expect(row.getByText('Awaiting your confirmation')).toBeVisible();
      await row.getByRole('button', { name: /^Confirm appointment on / }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Confirmed:' })).toBeVisible();
      await expect(row.getByText('Booked', { exact: true })).toBeVisible();
      await expect(row.getByRole('button', { name: /^Confirm/ })).toHaveCount(0);
    });
  });
