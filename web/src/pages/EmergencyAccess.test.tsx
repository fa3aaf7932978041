// @vitest-environment jsdom
import '../test-setup';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderPage } from '../test-render';

// The fake API goes in before the client module loads (openapi-fetch keeps the fetch it finds).
const fake = await vi.hoisted(async () => (await import('../test-fake-api')).installFakeApi());
const { EmergencyAccessPage } = await import('./EmergencyAccess');

const ME = { id: 'usr_doc', email: 'doc@x.test', name: 'Dr Doc', role: 'clinician' };
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

beforeEach(() => {
  fake.calls = [];
  fake.routes = {
    'GET /v1/me': () => ({ json: ME }),
    'GET /v1/emergency-access': () => ({ json: { items: [] } }),
    'GET /v1/files': () => ({ json: { items: [], nextCursor: null } }),
  };
});

describe('EmergencyAccessPage', { timeout: 20_000 }, () => {
  it('will not open a grant until a reason of at least 10 characters is given', async () => {
    renderPage(<EmergencyAccessPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText(/Patient user ID/), 'usr_pat');
    await user.type(screen.getByLabelText(/Reason/), 'too short');
    expect(screen.getByRole('button', { name: 'Open emergency access' })).toHaveProperty('disabled', true);
    await user.type(screen.getByLabelText(/Reason/), ' still');
    expect(screen.getByRole('button', { name: 'Open emergency access' })).toHaveProperty('disabled', false);
  });

  it('sends the patient and the reason, then marks the new grant with the time it has left', async () => {
    const grant = {
      id: 'grant_1',
      userId: ME.id,
      patientId: 'usr_pat',
      reason: 'Unconscious in A&E',
      createdAt: new Date().toISOString(),
      expiresAt: inMinutes(44.5),
    };
    let granted = false;
    fake.routes['POST /v1/emergency-access'] = () => {
      granted = true;
      return { status: 201, json: grant };
    };
    fake.routes['GET /v1/emergency-access'] = () => ({ json: { items: granted ? [grant] : [] } });
    renderPage(<EmergencyAccessPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText(/Patient user ID/), ' usr_pat ');
    await user.type(screen.getByLabelText(/Reason/), 'Unconscious in A&E');
    await user.click(screen.getByRole('button', { name: 'Open emergency access' }));
    const list = screen.getByRole('status', { name: 'Active emergency grants' });
    await waitFor(() => expect(list.textContent).toContain('Emergency access · 45 min left'));
    const post = fake.calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ patientId: 'usr_pat', reason: 'Unconscious in A&E' });
    // The grant's files open at once: the clinician came here for them.
    expect(await screen.findByRole('region', { name: 'Files of patient usr_pat (emergency access)' })).toBeTruthy();
  });

  it('does not list a grant whose time is up', async () => {
    fake.routes['GET /v1/emergency-access'] = () => ({
      json: {
        items: [
          {
            id: 'g',
            userId: ME.id,
            patientId: 'usr_old',
            reason: 'x'.repeat(12),
            createdAt: inMinutes(-90),
            expiresAt: inMinutes(-1),
          },
        ],
      },
    });
    renderPage(<EmergencyAccessPage />);
    const list = await screen.findByRole('status', { name: 'Active emergency grants' });
    await waitFor(() => expect(fake.calls.some((c) => c.url.pathname === '/v1/emergency-access')).toBe(true));
    expect(list.textContent).toContain('None.');
  });
});
