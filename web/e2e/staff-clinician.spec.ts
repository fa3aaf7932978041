import { expect, type Page, test } from '@playwright/test';
import { makePdf } from '../../e2e/support/fixtures';
import { apiUpload, bookNextFreeSlot, pageAs, untilStatus } from './staff-support';
import { type Account, adminLogin, bearer, checkPage, createAccount } from './support';

const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

test.describe
  .serial('a clinician’s day: schedule, patients in care, upload for a patient, break-glass', () => {
    let clinician: Account;
    let inCare: Account;
    let stranger: Account;

    test.beforeAll(async ({ request }) => {
      clinician = await createAccount(request, 'clinician', 'Dr Day');
      inCare = await createAccount(request, 'patient', 'Pat InCare');
      stranger = await createAccount(request, 'patient', 'Pat Stranger');
    });

    test('sees an appointment the patient booked in the week view, confirmed', async ({ browser, request }) => {
      const slot = await bookNextFreeSlot(request, inCare, clinician.id);
      const page = await pageAs(browser, clinician);
      await page.getByRole('link', { name: 'Schedule' }).click();
      await expect(page).toHaveTitle('Schedule · MedVault');
      await expect(page.getByRole('region', { name: /^Today, / })).toBeVisible();
      // The slot may fall in next week (booked from tomorrow on).
      const visit = page.getByRole('listitem').filter({ hasText: `Patient ${inCare.name}` });
      const monday = new Date();
      monday.setHours(0, 0, 0, 0);
      monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7));
      if (new Date(slot.start).getTime() >= monday.getTime() + 7 * 86_400_000) {
        await page.getByRole('button', { name: 'Next week' }).click();
      }
      await expect(visit).toContainText('Confirmed');
      await checkPage(page, 'staff-schedule');
    });

    test('finds the patient among “my patients” and uploads a report for them', async ({ browser, request }) => {
      const page = await pageAs(browser, clinician);
      await page.getByRole('link', { name: 'My patients' }).click();
      const patients = page.getByRole('table', { name: 'Patients in my care' });
      // By name: the clinician never handles a patient id here.
      await expect(row(page, inCare.name)).toContainText('appointment');
      await patients.getByRole('button', { name: `Files of ${inCare.name}` }).click();
      const panel = page.getByRole('region', { name: `Files of ${inCare.name}` });
      const chooser = page.waitForEvent('filechooser');
      await panel.getByRole('button', { name: 'Choose files' }).click();
      await (await chooser).setFiles({
        name: 'discharge.pdf',
        mimeType: 'application/pdf',
        buffer: makePdf('Discharge'),
      });
      await expect(row(page, 'discharge.pdf').getByText('Available')).toBeVisible({ timeout: 90_000 });
      await checkPage(page, 'staff-my-patients');

      // The patient sees the report the clinician uploaded for them.
      const token = await bearer(request, inCare.email, inCare.password);
      const mine = await (await request.get('/v1/files', { headers: { authorization: `Bearer ${token}` } })).json();
      expect(mine.items.map((f: { name: string }) => f.name)).toContain('discharge.pdf');
    });

    test('opens emergency access to a patient not in care with a reason, visibly marked and time-boxed', async ({
      browser,
      request,
    }) => {
      const name = `allergy-card-${Date.now().toString(36)}.pdf`;
      const fileId = await apiUpload(request, stranger, {
        name,
        mimeType: 'application/pdf',
        buffer: makePdf('Allergy'),
      });
      await untilStatus(request, stranger, fileId, ['available']);
      const page = await pageAs(browser, clinician);
      await page.getByRole('link', { name: 'My patients' }).click();
      const mine = page.getByRole('table', { name: 'Patients in my care' });
      await expect(mine).toContainText(inCare.name);
      await expect(mine).not.toContainText(stranger.name);

      await page.getByRole('link', { name: 'Emergency access' }).click();
      await page.getByLabel('Patient user ID').fill(stranger.id);
      const open = page.getByRole('button', { name: 'Open emergency access' });
      await page.getByLabel('Reason').fill('too short');
      await expect(open).toBeDisabled();
      await page.getByLabel('Reason').fill('Unconscious on arrival, allergy history needed');
      await open.click();
      const grants = page.getByRole('status', { name: 'Active emergency grants' });
      await expect(grants).toContainText(/Emergency access · (\d+ h )?\d+ min left/);
      await expect(grants).toContainText(stranger.id);
      await expect(grants).toContainText('Unconscious on arrival');
      const panel = page.getByRole('region', { name: `Files of patient ${stranger.id} (emergency access)` });
      await expect(row(page, name).getByText('Available')).toBeVisible();
      await expect(panel).toBeVisible();
      await checkPage(page, 'staff-emergency-access');

      // Compliance sees the grant in the audit log.
      const admin = await adminLogin(request);
      await expect
        .poll(async () => {
          const r = await request.get(
            `/v1/audit/events?action=access.emergency_granted&actorId=${clinician.id}&limit=5`,
            {
              headers: { authorization: `Bearer ${admin}` },
            },
          );
          return (await r.json()).items.length;
        })
        .toBeGreaterThan(0);
    });
  });
