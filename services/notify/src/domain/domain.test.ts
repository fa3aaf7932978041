import { createEvent, type Envelope, type EventType } from '@medvault/common/events';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, wants } from './preferences.js';
import { type Directory, recipientsOf } from './recipients.js';
import { sign, verify } from './signature.js';
import { messageFor, safeData } from './templates.js';

const ev = (type: string, data: unknown): Envelope =>
  createEvent(type as EventType, data as never, { correlationId: 'c', source: 't' });
const dir = (roles: Record<string, string[]>, inactive: string[] = []): Directory => ({
  idsWithRole: async (r) => roles[r] ?? [],
  isInactive: async (id) => inactive.includes(id),
});
const u = (n: number) => `usr_01JD00000000000000000000${String(n).padStart(2, '0')}`;
const f = 'fil_01JD0000000000000000000000';

describe('who is notified', () => {
  it('tells only the offline participants of a chat message, with ids and no text', async () => {
    const e = ev('chat.message_sent', {
      conversationId: 'cnv_01JD0000000000000000000000',
      messageId: 'msg_01JD0000000000000000000000',
      senderId: u(1),
      recipientIds: [u(2), u(3)],
      offlineRecipientIds: [u(3)],
      patientId: u(1),
      resourceType: 'conversation',
      resourceId: 'cnv_01JD0000000000000000000000',
    });
    expect(await recipientsOf(e, dir({}))).toEqual([u(3)]);
    const m = messageFor(e, 'https://medvault.example');
    expect(m.title).toBe('You have a new secure message');
    expect(m.link).toBe('https://medvault.example/v1/conversations/cnv_01JD0000000000000000000000/messages');
    expect(m.refs).toMatchObject({
      conversationId: 'cnv_01JD0000000000000000000000',
      messageId: 'msg_01JD0000000000000000000000',
    });
  });

  it('sends an infected file to the uploader and every admin, once each', async () => {
    const e = ev('file.infected', { fileId: f, ownerId: u(1), uploadedBy: u(2), signatures: ['X'] });
    expect(await recipientsOf(e, dir({ admin: [u(3), u(2)] }))).toEqual([u(2), u(3)]);
  });

  it('sends an infection found on rescan to the owner, uploader, patient and every admin', async () => {
    const e = ev('file.infected', {
      fileId: f,
      ownerId: u(1),
      uploadedBy: u(2),
      patientId: u(4),
      signatures: ['X'],
      foundOnRescan: true,
    });
    expect(await recipientsOf(e, dir({ admin: [u(3)] }))).toEqual([u(1), u(2), u(4), u(3)]);
  });

  it('sends an emergency grant to compliance only and skips inactive users', async () => {
    const e = ev('access.emergency_granted', {
      grantId: 'grt_01JD0000000000000000000000',
      patientId: u(1),
      reason: 'a long enough reason',
      expiresAt: '2031-01-01T00:00:00Z',
    });
    expect(await recipientsOf(e, dir({ compliance: [u(5), u(6)] }, [u(6)]))).toEqual([u(5)]);
  });

  it('sends a share to its target only', async () => {
    expect(await recipientsOf(ev('file.shared', { fileId: f, ownerId: u(1), sharedWith: u(2) }), dir({}))).toEqual([
      u(2),
    ]);
  });
});

describe('what a notification says', () => {
  it('keeps ids and times only, dropping reasons and scanner output', () => {
    expect(safeData({ fileId: f, reason: 'diagnosis', signatures: ['Eicar'], start: '2031-01-01T00:00:00Z' })).toEqual({
      fileId: f,
      start: '2031-01-01T00:00:00Z',
    });
    const m = messageFor(
      ev('file.infected', { fileId: f, ownerId: u(1), signatures: ['Eicar-Sig'] }),
      'https://mv.example/',
    );
    expect(m.title).toBe('A file was blocked by the malware scanner');
    expect(m.body).not.toContain('Eicar');
    expect(m.link).toBe(`https://mv.example/v1/files/${f}`);
  });

  it('applies per-type overrides over channel defaults', () => {
    const p = {
      ...DEFAULT_PREFERENCES,
      overrides: [{ eventType: 'file.available', channel: 'email' as const, enabled: false }],
    };
    expect(wants(p, 'file.available', 'email')).toBe(false);
    expect(wants(p, 'file.available', 'inbox')).toBe(true);
    expect(wants(p, 'file.shared', 'email')).toBe(true);
  });
});

describe('webhook signatures', () => {
  it('verifies its own signature and refuses a tampered body or a stale timestamp', () => {
    const h = sign('s3cret', '{"a":1}', 1_000_000);
    expect(h).toMatch(/^t=1000000,v1=[0-9a-f]{64}$/);
    expect(verify('s3cret', '{"a":1}', h, 1_000_010)).toBe(true);
    expect(verify('s3cret', '{"a":2}', h, 1_000_010)).toBe(false);
    expect(verify('s3cret', '{"a":1}', h, 1_001_000)).toBe(false);
  });
});
