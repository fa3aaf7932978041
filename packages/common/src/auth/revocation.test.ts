import { describe, expect, it } from 'vitest';
import { noticeRevokes } from './revocation.js';

const token = { jti: 'j1', userId: 'usr_1', iat: 1000, sessionId: 'ses_1' };

describe('revocation notices', () => {
  it('a token notice revokes that token only', () => {
    expect(noticeRevokes({ kind: 'token', jti: 'j1' }, token)).toBe(true);
    expect(noticeRevokes({ kind: 'token', jti: 'j2' }, token)).toBe(false);
  });

  it('a session notice revokes the tokens of that session, never a token without one', () => {
    expect(noticeRevokes({ kind: 'session', sessionId: 'ses_1' }, token)).toBe(true);
    expect(noticeRevokes({ kind: 'session', sessionId: 'ses_2' }, token)).toBe(false);
    expect(noticeRevokes({ kind: 'session', sessionId: 'ses_1' }, { ...token, sessionId: undefined })).toBe(false);
  });

  it("a user notice revokes that user's tokens issued before its not-before, as isRevoked does", () => {
    expect(noticeRevokes({ kind: 'user', userId: 'usr_1', notBefore: 1001 }, token)).toBe(true);
    expect(noticeRevokes({ kind: 'user', userId: 'usr_1', notBefore: 1000 }, token)).toBe(false);
    expect(noticeRevokes({ kind: 'user', userId: 'usr_2', notBefore: 2000 }, token)).toBe(false);
  });
});
