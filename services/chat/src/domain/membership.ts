import type { Principal } from '@medvault/common/auth';
import type { Conversation, Participant, UserFacts } from './types.js';

export interface Decision {
  allowed: boolean;
  reason: string;
}
const allow = (reason: string): Decision => ({ allowed: true, reason });
const deny = (reason: string): Decision => ({ allowed: false, reason });

export const MAX_PARTICIPANTS = 20;

/**
 * Who may open a conversation with whom (CONTRACT.md "Chat"): patients and clinicians only;
 * at most one patient; when a patient takes part, every clinician in it must have that patient
 * in care (appointment or admin assignment); clinicians may talk among themselves freely.
 * `users` holds the directory facts of every other participant (absent: unknown user),
 * `inCare(clinicianId, patientId)` the care projection.
 */
export function canOpen(
  p: Principal,
  otherIds: string[],
  users: Map<string, UserFacts>,
  inCare: (clinicianId: string, patientId: string) => boolean,
): Decision & { participants?: Participant[]; patientId?: string } {
  if (p.role !== 'patient' && p.role !== 'clinician') return deny('only patients and clinicians converse');
  const participants: Participant[] = [{ userId: p.userId, role: p.role }];
  for (const id of otherIds) {
    const u = users.get(id);
    if (!u || !u.active) return deny('unknown_or_inactive_participant');
    if (u.role !== 'patient' && u.role !== 'clinician') return deny('participants are patients and clinicians');
    participants.push({ userId: id, role: u.role });
  }
  const patients = participants.filter((x) => x.role === 'patient');
  if (patients.length > 1) return deny('at most one patient per conversation');
  const patientId = patients[0]?.userId;
  if (patientId) {
    const outOfCare = participants.filter((x) => x.role === 'clinician' && !inCare(x.userId, patientId));
    if (outOfCare.length > 0) return deny('clinician_without_care');
    if (participants.length < 2) return deny('a conversation needs someone else');
  }
  return { ...allow('care rules met'), participants, ...(patientId ? { patientId } : {}) };
}

export const isParticipant = (c: Conversation, userId: string) => c.participants.some((x) => x.userId === userId);

/**
 * A patient conversation takes new messages only while every clinician in it still has the
 * patient in care: leaving care ends it for writing, the history stays readable.
 */
export function canWrite(c: Conversation, inCare: (clinicianId: string, patientId: string) => boolean): Decision {
  if (!c.patientId) return allow('clinicians only');
  const patientId = c.patientId;
  const ended = c.participants.some((x) => x.role === 'clinician' && !inCare(x.userId, patientId));
  return ended ? deny('care_ended') : allow('care ongoing');
}

/** Edit and delete: the sender only, within the window after sending, and never twice deleted. */
export function canChange(
  msg: { senderId: string; sentAt: Date; deletedAt?: Date },
  userId: string,
  now: Date,
  windowSeconds: number,
): Decision {
  if (msg.senderId !== userId) return deny('only the sender may change a message');
  if (msg.deletedAt) return deny('message deleted');
  if (now.getTime() - msg.sentAt.getTime() > windowSeconds * 1000) return deny('edit_window_closed');
  return allow('sender within the window');
}
