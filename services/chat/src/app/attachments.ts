import { AppError } from '@medvault/common/errors';
import type { Caller, ChatPorts } from '../domain/ports.js';
import type { Conversation } from '../domain/types.js';

const refuse = (fileId: string, reason: string) =>
  new AppError('UNPROCESSABLE', 'This file cannot be attached', {
    details: { field: 'attachmentFileIds', fileId, reason },
  });

/**
 * Every attachment must be a file the sender may read (asked of the files service, as the
 * sender), `available` (never quarantined, infected or deleted), and, in a patient's
 * conversation, a file of that patient: nothing of another patient is ever shown to this one.
 * Checked for all files before anything is shared, so a refusal leaves nothing behind.
 */
export async function checkAttachments(ports: ChatPorts, caller: Caller, c: Conversation, fileIds: string[]) {
  for (const fileId of fileIds) {
    const f = await ports.files.get(caller, fileId);
    if (!f) throw refuse(fileId, 'not_readable');
    if (f.status !== 'available') throw refuse(fileId, 'not_available');
    if (c.patientId && f.patientId !== c.patientId) throw refuse(fileId, 'other_patient');
  }
}

/**
 * The participants gain read access through a share made by the files service on the sender's
 * behalf (recorded there: file.shared, audited). The patient of the file reads it already.
 */
export async function shareAttachments(ports: ChatPorts, caller: Caller, c: Conversation, fileIds: string[]) {
  const readers = c.participants.filter((p) => p.userId !== caller.principal.userId && p.userId !== c.patientId);
  for (const fileId of fileIds) {
    for (const r of readers) await ports.files.share(caller, fileId, r.userId);
  }
}
