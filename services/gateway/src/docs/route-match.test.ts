import { describe, expect, it } from 'vitest';
import { matchPublicRoute } from './route-match.js';

describe('documented route matching (access audit of proxied requests)', () => {
  it('names the pattern and params of a proxied request', () => {
    expect(matchPublicRoute('GET', '/v1/files/fil_1')).toEqual({ pattern: '/v1/files/:id', params: { id: 'fil_1' } });
    expect(matchPublicRoute('DELETE', '/v1/files/fil_1/shares/usr_2')).toEqual({
      pattern: '/v1/files/:id/shares/:userId',
      params: { id: 'fil_1', userId: 'usr_2' },
    });
    expect(matchPublicRoute('GET', '/v1/notifications/stream')?.pattern).toBe('/v1/notifications/stream');
  });

  it('matches on method and whole path only', () => {
    expect(matchPublicRoute('PUT', '/v1/files/fil_1')).toBeUndefined();
    expect(matchPublicRoute('GET', '/v1/files/fil_1/extra/deep')).toBeUndefined();
  });

  it('survives a malformed percent escape', () => {
    expect(matchPublicRoute('GET', '/v1/files/%E0%A4%A')?.params.id).toBe('%E0%A4%A');
  });
});
