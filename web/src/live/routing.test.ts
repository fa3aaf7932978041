import { describe, expect, it } from 'vitest';
import { parseFrame, staleKeysOf } from './routing';

describe('what a live notification refreshes', () => {
  it('refreshes the file list and the inbox when a file became available', () => {
    expect(staleKeysOf('file.available')).toEqual([['notifications'], ['files']]);
  });

  it('refreshes the appointments and the inbox when an appointment was booked', () => {
    expect(staleKeysOf('appointment.booked')).toEqual([['notifications'], ['appointments']]);
  });

  it('refreshes only the inbox for a type it knows nothing about', () => {
    expect(staleKeysOf('access.emergency_granted')).toEqual([['notifications']]);
  });

  it('reads a frame as an object and refuses anything else', () => {
    expect(parseFrame('{"type":"file.available"}')).toEqual({ type: 'file.available' });
    expect(parseFrame('not json')).toBeNull();
    expect(parseFrame('[1,2]')).toBeNull();
  });
});
