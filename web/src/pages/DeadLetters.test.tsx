// @vitest-environment jsdom
import '../test-setup';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeadLetterQueue } from '../api/types';
import { renderPage } from '../test-render';

const fake = await vi.hoisted(async () => (await import('../test-fake-api')).installFakeApi());
const { DeadLettersPage, lastRedriveText, redriveResult } = await import('./DeadLetters');

const queue = (service: string, waiting: number, more: Partial<DeadLetterQueue> = {}): DeadLetterQueue => ({
  service,
  queue: `medvault-${service}-dlq`,
  exists: true,
  waiting,
  inFlight: 0,
  ...more,
});

let files = 3;
const button = (name: string) => screen.getByRole<HTMLButtonElement>('button', { name });

beforeEach(() => {
  files = 3;
  fake.calls = [];
  fake.routes = {
    'GET /v1/me': () => ({ json: { id: 'usr_a', email: 'a@x.test', name: 'A', role: 'admin' } }),
    'GET /v1/admin/dead-letters': () => ({
      json: {
        checkedAt: '2026-12-01T10:00:00.000Z',
        items: [queue('files', files), queue('scanner', 0), queue('chat', 0, { exists: false })],
      },
    }),
    'POST /v1/admin/dead-letters/files/redrive': () => {
      const toMove = files;
      files = 0;
      return {
        status: 202,
        json: {
          service: 'files',
          queue: 'medvault-files-dlq',
          task: { status: 'RUNNING', running: true, moved: 0, toMove },
        },
      };
    },
  };
});

describe('dead letters', () => {
  it('says what the newest redrive of a queue did, in words', () => {
    expect(lastRedriveText(queue('a', 0))).toBe('—');
    expect(
      lastRedriveText(queue('a', 0, { lastRedrive: { status: 'RUNNING', running: true, moved: 1, toMove: 4 } })),
    ).toBe('Running: 1 of 4 moved');
    expect(
      lastRedriveText(
        queue('a', 0, {
          lastRedrive: { status: 'FAILED', running: false, moved: 0, toMove: 4, failureReason: 'AccessDenied' },
        }),
      ),
    ).toBe('Failed: AccessDenied');
    const done = { status: 'COMPLETED', running: false, moved: 1, toMove: 1 };
    expect(redriveResult({ service: 'files', queue: 'q', task: done })).toBe(
      'Redrive of files completed: 1 letter moved back.',
    );
  });

  it('lists each service with its waiting letters and offers a redrive only where letters wait', {
    timeout: 20_000,
  }, async () => {
    renderPage(<DeadLettersPage />);
    const table = await screen.findByRole('table', { name: 'Dead-letter queues' });
    const row = (name: string) => within(table).getByRole('row', { name: new RegExp(`^${name}`) });
    expect(row('files').textContent).toContain('3');
    expect(row('chat').textContent).toContain('No queue');
    expect(button('Redrive files').disabled).toBe(false);
    expect(button('Redrive scanner').disabled).toBe(true);
    expect(button('Redrive chat').disabled).toBe(true);
    expect(screen.getByText(/3 letters waiting in 1 of 3 queues/)).toBeTruthy();
  });

  it('asks for confirmation, starts the redrive with the rate given, shows the result and refreshes', {
    timeout: 20_000,
  }, async () => {
    const u = userEvent.setup({ delay: null });
    renderPage(<DeadLettersPage />);
    await u.click(await screen.findByRole('button', { name: 'Redrive files' }));
    const dialog = await screen.findByRole('dialog', { name: 'Redrive dead letters?' });
    expect(dialog.textContent).toContain('Send 3 letters of files back to its queue');
    // Nothing is sent before the admin confirms.
    expect(fake.calls.some((c) => c.method === 'POST')).toBe(false);
    await u.type(within(dialog).getByLabelText(/At most per second/), '25');
    await u.click(within(dialog).getByRole('button', { name: 'Redrive files' }));
    expect((await screen.findByRole('status')).textContent).toContain(
      'Redrive of files started: 3 letters moving back to its queue.',
    );
    const post = fake.calls.find((c) => c.method === 'POST');
    expect(post?.url.pathname).toBe('/v1/admin/dead-letters/files/redrive');
    expect(post?.body).toEqual({ rate: 25 });
    await waitFor(() => expect(screen.getByText(/No dead letters in 3 queues/)).toBeTruthy());
  });

  it('sends nothing when the admin cancels', { timeout: 20_000 }, async () => {
    const u = userEvent.setup({ delay: null });
    renderPage(<DeadLettersPage />);
    await u.click(await screen.findByRole('button', { name: 'Redrive files' }));
    await u.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('shows the API’s reason when a redrive is refused', { timeout: 20_000 }, async () => {
    fake.routes['POST /v1/admin/dead-letters/files/redrive'] = () => ({
      status: 409,
      json: { status: 409, code: 'CONFLICT', detail: 'A redrive of this dead-letter queue is already running' },
    });
    const u = userEvent.setup({ delay: null });
    renderPage(<DeadLettersPage />);
    await u.click(await screen.findByRole('button', { name: 'Redrive files' }));
    await u.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Redrive files' }));
    expect((await screen.findByRole('alert')).textContent).toContain('already running');
  });
});
