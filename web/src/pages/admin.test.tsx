// @vitest-environment jsdom
import '../test-setup';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileItem, UserItem } from '../api/types';
import { filterUsers } from '../api/users';
import { renderPage } from '../test-render';

const fake = await vi.hoisted(async () => (await import('../test-fake-api')).installFakeApi());
const { HeldFilesPage, sortHeld } = await import('./HeldFiles');
const { CareAssignmentsPage } = await import('./CareAssignments');
const { UsersPage } = await import('./Users');

const user = (id: string, role: UserItem['role'], createdAt: string): UserItem =>
  ({ id, email: `${id}@x.test`, name: `Name ${id}`, role, active: true, createdAt, updatedAt: createdAt }) as UserItem;
const file = (id: string, status: string, createdAt: string) =>
  ({ id, name: `${id}.pdf`, status, createdAt, size: 10, ownerId: 'usr_p', patientId: 'usr_p' }) as FileItem;

beforeEach(() => {
  fake.calls = [];
  fake.routes = {
    'GET /v1/me': () => ({ json: { id: 'usr_admin', email: 'a@x.test', name: 'Admin', role: 'admin' } }),
  };
});

describe('held files', () => {
  it('lists scan failures (a rescan may release them) before infected files, newest first', () => {
    const out = sortHeld([
      file('a', 'infected', '2026-01-03'),
      file('b', 'scan_failed', '2026-01-01'),
      file('c', 'scan_failed', '2026-01-02'),
    ]);
    expect(out.map((f) => f.id)).toEqual(['c', 'b', 'a']);
  });

  it('asks for every held status and requests a rescan of the file chosen', { timeout: 20_000 }, async () => {
    fake.routes['GET /v1/files'] = (_b, url) => ({
      json: {
        items: url.searchParams.get('status') === 'infected' ? [file('fil_bad', 'infected', '2026-01-01')] : [],
        nextCursor: null,
      },
    });
    fake.routes['POST /v1/files/fil_bad/rescan'] = () => ({ status: 202, json: file('fil_bad', 'quarantined', '') });
    renderPage(<HeldFilesPage />);
    await userEvent.setup({ delay: null }).click(await screen.findByRole('button', { name: 'Rescan fil_bad.pdf' }));
    expect((await screen.findByRole('status')).textContent).toContain('Rescan requested');
    const statuses = fake.calls
      .filter((c) => c.url.pathname === '/v1/files')
      .map((c) => c.url.searchParams.get('status'));
    expect(new Set(statuses)).toEqual(new Set(['scan_failed', 'blocked', 'infected']));
  });
});

describe('users', () => {
  it('filters by name or email in any case, newest first', () => {
    const all = [user('usr_a', 'patient', '2026-01-01'), user('usr_b', 'clinician', '2026-01-02')];
    expect(filterUsers(all, '').map((u) => u.id)).toEqual(['usr_b', 'usr_a']);
    expect(filterUsers(all, 'USR_A@').map((u) => u.id)).toEqual(['usr_a']);
  });

  it('follows the cursor so the newest users are listed, and changes a role', { timeout: 20_000 }, async () => {
    fake.routes['GET /v1/users'] = (_b, url) =>
      url.searchParams.get('cursor')
        ? { json: { items: [user('usr_new', 'patient', '2026-02-01')], nextCursor: null } }
        : { json: { items: [user('usr_admin', 'admin', '2026-01-01')], nextCursor: 'usr_admin' } };
    fake.routes['PATCH /v1/users/usr_new'] = (body) => ({
      json: { ...user('usr_new', 'patient', ''), ...(body as object) },
    });
    renderPage(<UsersPage />);
    const select = await screen.findByRole('combobox', { name: 'Role of usr_new@x.test' });
    await userEvent.setup({ delay: null }).selectOptions(select, 'clinician');
    await waitFor(() => expect(fake.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ role: 'clinician' }));
    // An admin cannot demote or deactivate themself by accident.
    expect(screen.getByRole('combobox', { name: 'Role of usr_admin@x.test' })).toHaveProperty('disabled', true);
  });
});

describe('care assignments', () => {
  it('assigns the chosen patient to the chosen clinician', { timeout: 20_000 }, async () => {
    fake.routes['GET /v1/users'] = (_b, url) => ({
      json: {
        items:
          url.searchParams.get('role') === 'clinician'
            ? [user('usr_doc', 'clinician', '2026-01-01')]
            : [user('usr_pat', 'patient', '2026-01-01')],
        nextCursor: null,
      },
    });
    let assigned = false;
    fake.routes['PUT /v1/clinicians/usr_doc/patients/usr_pat'] = () => {
      assigned = true;
      return {
        json: { clinicianId: 'usr_doc', patientId: 'usr_pat', assignedBy: 'usr_admin', assignedAt: '2026-01-01' },
      };
    };
    fake.routes['GET /v1/clinicians/usr_doc/patients'] = () => ({
      json: {
        items: assigned
          ? [{ clinicianId: 'usr_doc', patientId: 'usr_pat', assignedBy: 'usr_admin', assignedAt: '2026-01-01' }]
          : [],
      },
    });
    renderPage(<CareAssignmentsPage />);
    const ue = userEvent.setup({ delay: null });
    await waitFor(() => expect(screen.getAllByRole('option', { name: /Name usr_pat/ })).toHaveLength(1));
    await ue.selectOptions(screen.getByRole('combobox', { name: 'Clinician' }), 'usr_doc');
    await ue.selectOptions(screen.getByRole('combobox', { name: 'Patient' }), 'usr_pat');
    await ue.click(screen.getByRole('button', { name: 'Assign' }));
    expect(await screen.findByRole('button', { name: 'Unassign Name usr_pat' })).toBeTruthy();
  });
});
