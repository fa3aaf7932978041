// @vitest-environment jsdom
import '../test-setup';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileItem } from '../api/types';
import { renderPage } from '../test-render';

const fake = await vi.hoisted(async () => (await import('../test-fake-api')).installFakeApi());
const { ShareDialog } = await import('./ShareDialog');

const PATIENT = { id: 'usr_pat', email: 'pat@x.test', name: 'Pia Patient', role: 'patient' };
const file: FileItem = {
  id: 'fil_1',
  name: 'report.pdf',
  status: 'available',
  size: 2048,
  sha256: 'ab',
  contentType: 'application/pdf',
  ownerId: 'usr_pat',
  patientId: 'usr_pat',
  uploadedBy: 'usr_pat',
  version: 1,
  generation: 1,
  downloads: 0,
  shares: [{ userId: 'usr_ann' }],
  hasWatermarkedRendition: false,
  createdAt: '2030-01-01T00:00:00Z',
  updatedAt: '2030-01-01T00:00:00Z',
};

beforeEach(() => {
  fake.calls = [];
  fake.routes = {
    'GET /v1/me': () => ({ json: PATIENT }),
    'GET /v1/people': () => ({
      json: {
        items: [
          { id: 'usr_ann', name: 'Dr Ann Aalto', role: 'clinician', inCare: false },
          { id: 'usr_bea', name: 'Dr Bea Berg', role: 'clinician', inCare: true },
        ],
      },
    }),
    'POST /v1/files/fil_1/shares': () => ({ status: 201, json: {} }),
  };
});

describe('ShareDialog', { timeout: 20_000 }, () => {
  it('shares the file with a clinician picked by name and says who can open it now', async () => {
    renderPage(<ShareDialog file={file} onClose={vi.fn()} />);
    const user = userEvent.setup({ delay: null });
    // hidden: jsdom never ends Mantine's modal and dropdown transitions (the browser stories see them).
    const dialog = await screen.findByRole('dialog', { name: 'Share with a clinician', hidden: true });
    const share = within(dialog).getByRole('button', { name: 'Share', hidden: true });
    expect(share).toHaveProperty('disabled', true);
    await user.type(within(dialog).getByRole('combobox', { name: 'Clinician', hidden: true }), 'Berg');
    await user.click(await screen.findByRole('option', { name: 'Dr Bea Berg', hidden: true }));
    await user.click(share);
    await waitFor(() =>
      expect(within(dialog).getByRole('status', { hidden: true }).textContent).toBe(
        'Shared. Dr Bea Berg can now open this file.',
      ),
    );
    const post = fake.calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ userId: 'usr_bea', expiresAt: expect.any(String) });
  });

  it('names the clinicians the file is already shared with', async () => {
    renderPage(<ShareDialog file={file} onClose={vi.fn()} />);
    expect(await screen.findByRole('button', { name: 'Revoke share with Dr Ann Aalto', hidden: true })).toBeTruthy();
  });
});
