// @vitest-environment jsdom
import '../test-setup';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditItem } from '../api/types';
import { detailRows } from '../components/AuditRecordDetail';
import { renderPage } from '../test-render';

const fake = await vi.hoisted(async () => (await import('../test-fake-api')).installFakeApi());
const { AuditPage, exportUrl } = await import('./Audit');

const RECORD: AuditItem = {
  seq: 42,
  eventId: 'evt_1',
  type: 'file.downloaded',
  version: 1,
  occurredAt: '2026-12-01T10:00:00.000Z',
  recordedAt: '2026-12-01T10:00:01.000Z',
  source: 'files',
  actor: { userId: 'usr_doc', role: 'clinician', ip: '10.0.0.7', userAgent: 'Firefox' },
  action: 'file.downloaded',
  resource: { type: 'file', id: 'fil_1' },
  patientId: 'usr_pat',
  outcome: 'success',
  requestId: 'req_9',
  data: { name: '<script>alert(1)</script>.pdf' },
  prevHash: 'aa',
  hash: 'bb',
};

beforeEach(() => {
  fake.calls = [];
  fake.routes = {
    'GET /v1/me': () => ({ json: { id: 'usr_c', email: 'c@x.test', name: 'C', role: 'compliance' } }),
    'GET /v1/audit/events': () => ({ json: { items: [RECORD], nextCursor: null } }),
    'GET /v1/audit/verify': () => ({
      json: {
        ok: true,
        checked: 42,
        checkpointsChecked: 3,
        from: 1,
        lastSeq: 42,
        checkpoint: { seq: 40, hash: 'c0ffee', time: '2026-12-01T09:00:00.000Z' },
      },
    }),
  };
});

describe('audit export links', () => {
  it('carry the search filters and the format, and leave out paging and empty filters', () => {
    const url = exportUrl({ limit: 50, actorId: 'usr_doc', action: '', cursor: 'x' }, 'csv');
    const u = new URL(url, 'http://x');
    expect(u.pathname).toBe('/v1/audit/export');
    expect([...u.searchParams.entries()]).toEqual([
      ['format', 'csv'],
      ['actorId', 'usr_doc'],
    ]);
  });
});

describe('an audit record in detail', () => {
  it('answers who (user, role, ip, agent), what, when, outcome and the request id', () => {
    const rows = Object.fromEntries(detailRows(RECORD));
    expect(rows).toMatchObject({
      Actor: 'usr_doc (clinician)',
      'From IP': '10.0.0.7',
      'User agent': 'Firefox',
      Resource: 'file fil_1',
      Patient: 'usr_pat',
      Outcome: 'success',
      'Request ID': 'req_9',
      Occurred: '2026-12-01T10:00:00.000Z',
    });
  });

  it('leaves out what a record does not have (a system event has no actor)', () => {
    const { actor: _, ...system } = RECORD;
    expect(detailRows(system).map(([k]) => k)).not.toContain('Actor');
  });
});

describe('AuditPage', { timeout: 20_000 }, () => {
  it('opens a record from the results and shows its data as text', async () => {
    renderPage(<AuditPage />);
    const user = userEvent.setup({ delay: null });
    // Generous waits: the drawer opens with a transition, slow on a loaded machine.
    await user.click(await screen.findByRole('button', { name: 'Details of record 42' }, { timeout: 5000 }));
    const drawer = await screen.findByRole('dialog', { name: 'Audit record' }, { timeout: 5000 });
    expect(within(drawer).getByText('req_9')).toBeTruthy();
    expect(drawer.textContent).toContain('<script>alert(1)</script>.pdf');
    expect(drawer.querySelector('script')).toBeNull();
  });

  it('searches with the filters given and offers the same filters for export', async () => {
    renderPage(<AuditPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByLabelText('Actor (user ID)'), 'usr_doc');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(fake.calls.some((c) => c.url.searchParams.get('actorId') === 'usr_doc')).toBe(true));
    expect(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(
      '/v1/audit/export?format=csv&actorId=usr_doc',
    );
    expect(screen.getByRole('link', { name: 'Export JSONL' }).getAttribute('href')).toContain('format=jsonl');
  });

  it('shows the verification result with its last signed checkpoint', async () => {
    renderPage(<AuditPage />);
    await userEvent.setup({ delay: null }).click(await screen.findByRole('button', { name: 'Verify chain' }));
    const result = await screen.findByRole('status');
    expect(result.textContent).toContain('Chain intact');
    expect(result.textContent).toContain('42 records checked');
    expect(result.textContent).toContain('Last signed checkpoint: record 40');
    expect(result.textContent).toContain('c0ffee');
  });
});
