import { describe, expect, it } from 'vitest';
import { StreamSlots } from './stream-slots.js';

describe('stream slots per user', () => {
  it('grants up to the maximum per user and refuses beyond it, without affecting other users', () => {
    const slots = new StreamSlots(2);
    expect(slots.acquire('a')).toBeTypeOf('function');
    expect(slots.acquire('a')).toBeTypeOf('function');
    expect(slots.acquire('a')).toBeNull();
    expect(slots.acquire('b')).toBeTypeOf('function');
  });

  it('frees a slot on release, once even if released twice', () => {
    const slots = new StreamSlots(2);
    const first = slots.acquire('a')!;
    slots.acquire('a');
    first();
    first();
    expect(slots.count('a')).toBe(1);
    expect(slots.acquire('a')).toBeTypeOf('function');
    expect(slots.acquire('a')).toBeNull();
  });
});
