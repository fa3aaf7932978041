// @vitest-environment jsdom
import '../test-setup';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderPage } from '../test-render';

const fake = await vi.hoisted(async () => (await import('../test-fake-api')).installFakeApi());
const { NewConversation } = await import('./Chat');

const PATIENT = { id: 'usr_pat', email: 'pat@x.test', name: 'Pia Patient', role: 'patient' };

beforeEach(() => {
  fake.calls = [];
  fake.routes = {
    'GET /v1/me': () => ({ json: PATIENT }),
    'GET /v1/people': () => ({
      json: { items: [{ id: 'usr_bea', name: 'Dr Bea Berg', role: 'clinician', inCare: true }] },
    }),
    'POST /v1/conversations': () => ({ status: 201, json: { id: 'cnv_1' } }),
  };
});

describe('NewConversation', { timeout: 20_000 }, () => {
  it('lets a patient pick only from their care team, by name, and opens the conversation with them', async () => {
    const onOpened = vi.fn();
    renderPage(<NewConversation patient onOpened={onOpened} />);
    const user = userEvent.setup({ delay: null });
    const start = screen.getByRole('button', { name: 'Start' });
    expect(start).toHaveProperty('disabled', true);
    await user.click(await screen.findByRole('combobox', { name: 'Clinician' }));
    // hidden: jsdom never ends Mantine's dropdown transition (the browser story sees it shown).
    await user.click(await screen.findByRole('option', { name: 'Dr Bea Berg', hidden: true }));
    await user.type(screen.getByRole('textbox', { name: 'Subject (optional)' }), 'Knee');
    await user.click(start);
    await waitFor(() => expect(onOpened).toHaveBeenCalledWith('cnv_1'));
    const asked = fake.calls.find((c) => c.url.pathname === '/v1/people');
    expect(asked?.url.searchParams.get('inCare')).toBe('true');
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({ participantIds: ['usr_bea'], subject: 'Knee' });
  });
});
