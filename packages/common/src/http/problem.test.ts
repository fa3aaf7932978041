import { describe, expect, it } from 'vitest';
import { outageOf } from './problem.js';

describe('outageOf', () => {
  it('names mongo for a server selection or network error', () => {
    expect(outageOf(Object.assign(new Error('x'), { name: 'MongoServerSelectionError' }))).toBe('mongo');
    expect(outageOf(Object.assign(new Error('x'), { name: 'MongoNetworkError' }))).toBe('mongo');
  });
  it('names redis for a closed connection or exhausted retries', () => {
    expect(outageOf(new Error('Connection is closed.'))).toBe('redis');
    expect(outageOf(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe('redis');
  });
  it('names aws for an SDK call that timed out or could not connect', () => {
    expect(outageOf(Object.assign(new Error('x'), { name: 'TimeoutError', $metadata: {} }))).toBe('aws');
    expect(outageOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED', $metadata: {} }))).toBe('aws');
  });
  it('leaves programming errors alone so they stay 500s', () => {
    expect(outageOf(new TypeError('undefined is not a function'))).toBeUndefined();
    expect(outageOf(Object.assign(new Error('x'), { name: 'MongoServerError', code: 11000 }))).toBeUndefined();
  });
});
