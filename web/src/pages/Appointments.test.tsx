// @vitest-environment jsdom
import '../test-setup';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Appointment } from '../api/types';
import { appointmentState, changeable } from '../appointments-rules';
import { SlotChoices } from '../components/SlotPicker';
import { renderUi } from '../test-render';
import { AppointmentTable } from './Appointments';

const now = new Date('2030-01-01T00:00:00Z');
const appt = (id: string, start: string, patch: Partial<Appointment> = {}): Appointment => ({
  id,
  clinicianId: 'usr_C',
  patientId: 'usr_P',
  start,
  end: new Date(new Date(start).getTime() + 1_800_000).toISOString(),
  status: 'booked',
  confirmed: true,
  createdAt: '2029-12-01T00:00:00Z',
  updatedAt: '2029-12-01T00:00:00Z',
  ...patch,
});
const handlers = () => ({ onConfirm: vi.fn(), onReschedule: vi.fn(), onCancel: vi.fn() });

describe('appointment rules', { timeout: 20_000 }, () => {
  it('names a proposal the patient has not confirmed, a booking and a cancellation', () => {
    expect(appointmentState({ status: 'booked', confirmed: false }).label).toBe('Awaiting your confirmation');
    expect(appointmentState({ status: 'booked', confirmed: true }).label).toBe('Booked');
    expect(appointmentState({ status: 'cancelled', confirmed: true }).label).toBe('Cancelled');
  });

  it('lets only a booked appointment that has not started change', () => {
    expect(changeable({ status: 'booked', start: '2030-01-02T09:00:00Z' }, now)).toBe(true);
    expect(changeable({ status: 'booked', start: '2029-12-31T09:00:00Z' }, now)).toBe(false);
    expect(changeable({ status: 'cancelled', start: '2030-01-02T09:00:00Z' }, now)).toBe(false);
  });
});

describe('AppointmentTable', { timeout: 20_000 }, () => {
  it('offers Confirm only on a proposal, and confirms that one', async () => {
    const h = handlers();
    renderUi(
      <AppointmentTable
        items={[appt('apt_1', '2030-01-02T09:00:00Z'), appt('apt_2', '2030-01-03T09:00:00Z', { confirmed: false })]}
        now={now}
        {...h}
      />,
    );
    const confirms = screen.getAllByRole('button', { name: /^Confirm appointment on / });
    expect(confirms).toHaveLength(1);
    await userEvent.click(confirms[0] as HTMLElement);
    expect(h.onConfirm).toHaveBeenCalledWith(expect.objectContaining({ id: 'apt_2' }));
  });

  it("shows the clinician's name, not their id", () => {
    renderUi(
      <AppointmentTable
        items={[appt('apt_1', '2030-01-02T09:00:00Z')]}
        now={now}
        nameOf={(id) => (id === 'usr_C' ? 'Dr Cy Cole' : id)}
        {...handlers()}
      />,
    );
    const row = screen.getAllByRole('row')[1] as HTMLElement;
    expect(within(row).getByText('Dr Cy Cole')).toBeTruthy();
    expect(row.textContent).not.toContain('usr_C');
  });

  it('offers nothing on a cancelled appointment', () => {
    renderUi(
      <AppointmentTable
        items={[appt('apt_1', '2030-01-02T09:00:00Z', { status: 'cancelled' })]}
        now={now}
        {...handlers()}
      />,
    );
    const row = screen.getAllByRole('row')[1] as HTMLElement;
    expect(within(row).getByText('Cancelled')).toBeTruthy();
    expect(within(row).queryAllByRole('button')).toHaveLength(0);
  });
});

describe('SlotChoices', { timeout: 20_000 }, () => {
  const slots = [
    { start: '2030-01-02T09:00:00.000Z', end: '2030-01-02T09:30:00.000Z' },
    { start: '2030-01-02T09:30:00.000Z', end: '2030-01-02T10:00:00.000Z' },
  ];
  it('offers each free slot as a choice and reports the one picked', async () => {
    const onChange = vi.fn();
    renderUi(<SlotChoices slots={slots} value={null} onChange={onChange} />);
    const radios = within(screen.getByRole('group', { name: 'Free slots' })).getAllByRole('radio');
    expect(radios).toHaveLength(2);
    await userEvent.click(radios[1] as HTMLElement);
    expect(onChange).toHaveBeenCalledWith('2030-01-02T09:30:00.000Z');
  });

  it('says when the day has no free slot', () => {
    renderUi(<SlotChoices slots={[]} value={null} onChange={vi.fn()} />);
    expect(screen.getByText('No free slots that day.')).toBeTruthy();
  });
});
