import { expect, type Page, test } from '@playwright/test';
import { makePdf } from '../../e2e/support/fixtures';
import { asUser, bookByApi, openPage, tokenOf, uploadAvailable, weekdayAhead } from './patient-support';
import { type Account, checkPage, createAccount, pickPerson, signIn, uniqueName } from './support';

test.use({ timezoneId: 'UTC', locale: 'en-GB' });

const log = (page: Page) => page.getByRole('log', { name: 'Messages' });
const composer = (page: Page) => page.getByRole('form', { name: 'New message' });

test.describe
  .serial('a patient and a clinician talk in the console', () => {
    let patient: Account;
    let clinician: Account;
    const subject = `Knee follow-up ${Date.now().toString(36)}`;

    test.beforeAll(async ({ request }) => {
      patient = await createAccount(request, 'patient');
      clinician = await createAccount(request, 'clinician', uniqueName('Dr Knee'));
      const token = await tokenOf(request, patient);
      // Care: the patient booked with the clinician (the only way a patient may open a conversation).
      await bookByApi(request, token, clinician.id, patient.id, weekdayAhead(2), '09:00');
      // The care relationship reaches the gateway's people list over the bus: wait for it, as for the upload.
      await expect
        .poll(async () => {
          const r = await request.get('/v1/people?inCare=true', { headers: { authorization: `Bearer ${token}` } });
          return ((await r.json()).items as { id: string }[]).map((p) => p.id);
        })
        .toContain(clinician.id);
      await uploadAvailable(request, token, 'knee-report.pdf', 'application/pdf', makePdf('knee report'));
    });

    test('the patient opens a conversation and sends a file; the clinician gets it live and answers', async ({
      page,
      browser,
    }) => {
      const doctor = await asUser(browser, clinician);
      await openPage(doctor, 'Messages');
      await expect(doctor.getByText('No conversations yet.')).toBeVisible();

      await signIn(page, patient);
      await openPage(page, 'Messages');
      await expect(page).toHaveTitle('Messages · MedVault');
      const start = page.getByRole('form', { name: 'Start a conversation' });
      await pickPerson(page, start, 'Clinician', clinician.name);
      await start.getByLabel('Subject (optional)').fill(subject);
      await start.getByRole('button', { name: 'Start' }).click();
      await expect(page.getByRole('heading', { name: subject })).toBeVisible();
      await expect(page).toHaveURL(/\/chat$/);

      await composer(page)
        .getByRole('textbox', { name: 'Message', exact: true })
        .fill('Here is the report from the physio');
      await composer(page).getByRole('combobox', { name: 'Attach a file' }).click();
      await page.getByRole('option', { name: 'knee-report.pdf' }).click();
      await composer(page).getByRole('button', { name: 'Send' }).click();
      await expect(log(page).getByText('Here is the report from the physio')).toBeVisible();
      await expect(composer(page).getByRole('textbox', { name: 'Message', exact: true })).toHaveValue('');
      await checkPage(page, 'patient-chat');

      // Live on the clinician's open page: the conversation appears with its unread count.
      const conv = doctor.getByRole('navigation', { name: 'Conversations' }).getByRole('button', {
        name: `${subject}, 1 unread`,
      });
      await expect(conv).toBeVisible({ timeout: 10_000 });
      await conv.click();
      await expect(log(doctor).getByText('Here is the report from the physio')).toBeVisible();
      await expect(log(doctor).getByRole('button', { name: 'Download knee-report.pdf' })).toBeVisible({
        timeout: 15_000,
      });
      await expect(
        doctor.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: subject, exact: true }),
      ).toBeVisible();

      await composer(doctor).getByRole('textbox', { name: 'Message', exact: true }).fill('The anal fissure is healing');
      await composer(doctor).getByRole('button', { name: 'Send' }).click();
      // Live on the patient's page, no reload.
      await expect(log(page).getByText('The anal fissure is healing')).toBeVisible({ timeout: 10_000 });
    });

    test('an abusive message is refused with a clear reason and the draft is kept', async ({ page }) => {
      await signIn(page, patient);
      await openPage(page, 'Messages');
      await page.getByRole('button', { name: subject, exact: true }).click();
      const insult = 'y0u are a st*pid f u c k i n g b1tch';
      await composer(page).getByRole('textbox', { name: 'Message', exact: true }).fill(insult);
      await composer(page).getByRole('button', { name: 'Send' }).click();
      const alert = composer(page).getByRole('alert');
      await expect(alert).toContainText('Message not sent');
      await expect(alert).toContainText('breaks the conversation rules');
      await expect(composer(page).getByRole('textbox', { name: 'Message', exact: true })).toHaveValue(insult);
      await expect(log(page).getByText(insult)).toHaveCount(0);
    });

    test('older messages load on demand (cursor paging)', async ({ page, request }) => {
      const pt = await tokenOf(request, patient);
      const ct = await tokenOf(request, clinician);
      const list = await (
        await request.get('/v1/conversations', { headers: { authorization: `Bearer ${pt}` } })
      ).json();
      const id = list.items.find((c: { subject?: string }) => c.subject === subject).id as string;
      for (let i = 1; i <= 32; i++) {
        const r = await request.post(`/v1/conversations/${id}/messages`, {
          headers: { authorization: `Bearer ${i % 2 ? pt : ct}` },
          data: { text: `Numbered note ${i}` },
        });
        expect(r.status(), await r.text()).toBe(201);
      }
      await signIn(page, patient);
      await openPage(page, 'Messages');
      await page.getByRole('button', { name: new RegExp(`^${subject}`) }).click();
      await expect(log(page).getByText('Numbered note 32', { exact: true })).toBeVisible();
      await expect(log(page).getByText('Here is the report from the physio')).toHaveCount(0);
      await page.getByRole('button', { name: 'Load older messages' }).click();
      await expect(log(page).getByText('Here is the report from the physio')).toBeVisible();
      await expect(log(page).getByText('Numbered note 1', { exact: true })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Load older messages' })).toHaveCount(0);
    });
  });
