import { describe, expect, it } from 'vitest';
import { AppError, ErrorCodes } from './index.js';

describe('AppError', () => {
  it('takes status and retryability from its stable code', () => {
    const e = new AppError('RATE_LIMITED', 'slow down');
    expect(e.status).toBe(429);
    expect(e.retryable).toBe(true);
  });
  it('lets a caller override retryability for one failure', () => {
    expect(new AppError('CONFLICT', 'busy', { retryable: true }).retryable).toBe(true);
  });
  it('maps every code to an HTTP error status', () => {
    for (const { status } of Object.values(ErrorCodes)) expect(status).toBeGreaterThanOrEqual(400);
  });
});
