import type { Principal } from '@medvault/common/auth';
import { describe, expect, it } from 'vitest';
import { canChange, canOpen, canWrite } from './membership.js';
import type { Conversation, UserFacts } from './types.js';

const me = (userId: string, role: Principal['role']): Principal => ({ userId, role, jti: 'j', iat: 0, exp: 0 });
const users = new Map<string, UserFacts>([
  ['doc', { role: 'clinician', active: true }],
  ['doc2', { role: 'clinician', active: true }],
  ['pat', { role: 'patient', active: true }],
  ['pat2', { role: 'patient', active: true }],
  ['gone', { role: 'clinician', active: false }],
  ['adm', { role: 'admin', active: true }],
]);
const careOf = (pairs: string[]) => (c: string, p: string) => pairs.includes(`${c}:${p}`);

describe('who may open a conversation', () => {
  it('lets a patient talk to clinicians who have them in care, and nobody else', () => {
    expect(canOpen(me('pat', 'patient'), ['doc'], users, careOf(['doc:pat'])).allowed).toBe(true);
    expect(canOpen(me('pat', 'patient'), ['doc', 'doc2'], users, careOf(['doc:pat'])).reason).toBe(
      'clinician_without_care',
    );
    expect(canOpen(me('pat', 'patient'), ['pat2'], users, careOf([])).allowed).toBe(false);
  });

  it('lets clinicians talk among themselves, but not with inactive, unknown or admin users', () => {
    expect(canOpen(me('doc', 'clinician'), ['doc2'], users, careOf([])).allowed).toBe(true);
    expect(canOpen(me('doc', 'clinician'), ['gone'], users, careOf([])).allowed).toBe(false);
    expect(canOpen(me('doc', 'clinician'), ['nobody'], users, careOf([])).allowed).toBe(false);
    expect(canOpen(me('doc', 'clinician'), ['adm'], users, careOf([])).allowed).toBe(false);
  });

  it('never lets admins or compliance open one', () => {
    expect(canOpen(me('adm', 'admin'), ['doc'], users, careOf([])).allowed).toBe(false);
    expect(canOpen(me('c', 'compliance'), ['doc'], users, careOf([])).allowed).toBe(false);
  });
});

describe('writing and changing', () => {
  const conv = {
    participants: [
      { userId: 'pat', role: 'patient' },
      { userId: 'doc', role: 'clinician' },
    ],
    patientId: 'pat',
  } as Conversation;

  it('closes a patient conversation once a clinician in it no longer has the patient in care', () => {
    expect(canWrite(conv, careOf(['doc:pat'])).allowed).toBe(true);
    expect(canWrite(conv, careOf([])).reason).toBe('care_ended');
  });

  it('lets only the sender change a message, within the window', () => {
    const sentAt = new Date('2026-01-01T10:00:00Z');
    const at = (s: number) => new Date(sentAt.getTime() + s * 1000);
    expect(canChange({ senderId: 'doc', sentAt }, 'doc', at(10), 60).allowed).toBe(true);
    expect(canChange({ senderId: 'doc', sentAt }, 'pat', at(10), 60).allowed).toBe(false);
    expect(canChange({ senderId: 'doc', sentAt }, 'doc', at(61), 60).reason).toBe('edit_window_closed');
  });
});
