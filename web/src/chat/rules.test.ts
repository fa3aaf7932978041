import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { conversationLabel, sendErrorText, threadOf } from './rules';

describe('chat rules', () => {
  it('explains a moderation refusal and says the draft is kept', () => {
    const text = sendErrorText(new ApiError(422, { code: 'MESSAGE_REJECTED', detail: 'rejected' }));
    expect(text).toMatch(/breaks the conversation rules/);
    expect(text).toMatch(/draft is kept/);
  });

  it('passes on any other reason a message was not sent', () => {
    expect(sendErrorText(new ApiError(403, { detail: 'Not a participant' }))).toBe('Not sent: Not a participant');
  });

  it('reads pages that come newest first as a thread oldest first, without duplicates', () => {
    const pages = [{ items: [{ id: 'm4' }, { id: 'm3' }] }, { items: [{ id: 'm3' }, { id: 'm2' }, { id: 'm1' }] }];
    expect(threadOf(pages).map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('names a conversation by its subject, else by the other participants', () => {
    expect(conversationLabel({ subject: 'Knee', participantIds: ['usr_A', 'usr_B'] }, 'usr_A')).toBe('Knee');
    expect(conversationLabel({ participantIds: ['usr_A', 'usr_B'] }, 'usr_A')).toBe('With usr_B');
  });

  it('names the other participants where the caller knows their names', () => {
    const names = new Map([['usr_B', 'Dr Bea Berg']]);
    const nameOf = (id: string) => names.get(id) ?? id;
    expect(conversationLabel({ participantIds: ['usr_A', 'usr_B', 'usr_C'] }, 'usr_A', nameOf)).toBe(
      'With Dr Bea Berg, usr_C',
    );
  });
});
