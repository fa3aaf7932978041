// @vitest-environment jsdom
import '../test-setup';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { personOptions } from '../api/people';
import type { PeopleFilter } from '../api/types';
import { renderPage } from '../test-render';

const fake = await vi.hoisted(async () => (await import('../test-fake-api')).installFakeApi());
const { PersonPicker } = await import('./PersonPicker');

const PATIENT = { id: 'usr_pat', email: 'pat@x.test', name: 'Pia Patient', role: 'patient' };
const PEOPLE = [
  { id: 'usr_ann', name: 'Dr Ann Aalto', role: 'clinician', inCare: false },
  { id: 'usr_bea', name: 'Dr Bea Berg', role: 'clinician', inCare: true },
];

function Harness({ filter, onChange }: { filter: PeopleFilter; onChange: (id: string | null) => void }) {
  const [value, setValue] = useState<string | null>(null);
  return (
    <PersonPicker
      label="Clinician"
      filter={filter}
      groups={{ inCare: 'Your care team', others: 'Other clinicians' }}
      empty="No clinicians yet"
      value={value}
      onChange={(id) => {
        setValue(id);
        onChange(id);
      }}
    />
  );
}

beforeEach(() => {
  fake.calls = [];
  fake.routes = {
    'GET /v1/me': () => ({ json: PATIENT }),
    'GET /v1/people': () => ({ json: { items: PEOPLE } }),
  };
});

describe('PersonPicker', { timeout: 20_000 }, () => {
  it('finds a clinician by part of the name and gives back their id, never showing an id', async () => {
    const onChange = vi.fn();
    renderPage(<Harness filter={{ role: 'clinician' }} onChange={onChange} />);
    const user = userEvent.setup({ delay: null });
    const box = await screen.findByRole('combobox', { name: 'Clinician' });
    await waitFor(() => expect(box.getAttribute('placeholder')).toBe('Type a name'));
    await user.type(box, 'bea');
    // hidden: jsdom never ends Mantine's dropdown transition (the browser stories see it shown).
    const option = await screen.findByRole('option', { name: 'Dr Bea Berg', hidden: true });
    expect(screen.queryByRole('option', { name: 'Dr Ann Aalto', hidden: true })).toBeNull();
    await user.click(option);
    expect(onChange).toHaveBeenLastCalledWith('usr_bea');
    expect(document.body.textContent).not.toContain('usr_');
    const asked = fake.calls.find((c) => c.url.pathname === '/v1/people');
    expect(asked?.url.searchParams.get('role')).toBe('clinician');
  });

  it('lists the care team under its own heading', async () => {
    renderPage(<Harness filter={{}} onChange={vi.fn()} />);
    const user = userEvent.setup({ delay: null });
    const box = await screen.findByRole('combobox', { name: 'Clinician' });
    await waitFor(() => expect(box.getAttribute('placeholder')).toBe('Type a name'));
    await user.click(box);
    expect(await screen.findByText('Your care team')).toBeTruthy();
    expect(screen.getByText('Other clinicians')).toBeTruthy();
  });

  it('says so when there is nobody to pick', async () => {
    fake.routes['GET /v1/people'] = () => ({ json: { items: [] } });
    renderPage(<Harness filter={{ inCare: true }} onChange={vi.fn()} />);
    const box = await screen.findByRole('combobox', { name: 'Clinician' });
    await waitFor(() => expect(box.getAttribute('placeholder')).toBe('No clinicians yet'));
    expect(box).toHaveProperty('disabled', true);
  });

  it('does not ask for people on behalf of an admin (the API has no such list for them)', async () => {
    fake.routes['GET /v1/me'] = () => ({ json: { ...PATIENT, role: 'admin' } });
    renderPage(<Harness filter={{}} onChange={vi.fn()} />);
    await screen.findByRole('combobox', { name: 'Clinician' });
    await waitFor(() => expect(fake.calls.some((c) => c.url.pathname === '/v1/me')).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.calls.some((c) => c.url.pathname === '/v1/people')).toBe(false);
  });
});

describe('personOptions', () => {
  it('tells namesakes apart by the end of their id, and nobody else', () => {
    const opts = personOptions([
      { id: 'usr_01AAAAAAAA111111', name: 'Sam Lee', role: 'clinician', inCare: false },
      { id: 'usr_01AAAAAAAA222222', name: 'Sam Lee', role: 'clinician', inCare: false },
      { id: 'usr_01AAAAAAAA333333', name: 'Kim Ray', role: 'clinician', inCare: false },
    ]);
    expect(opts).toEqual([
      { value: 'usr_01AAAAAAAA111111', label: 'Sam Lee (…111111)' },
      { value: 'usr_01AAAAAAAA222222', label: 'Sam Lee (…222222)' },
      { value: 'usr_01AAAAAAAA333333', label: 'Kim Ray' },
    ]);
  });
});
