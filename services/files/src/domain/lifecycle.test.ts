import { describe, expect, it } from 'vitest';
import { canTransition, type FileStatus, isServable, nextStatus, STATUSES } from './lifecycle.js';

describe('file lifecycle', () => {
  it('follows quarantined → clean → available', () => {
    expect(nextStatus('quarantined', 'scan_clean')).toBe('clean');
    expect(nextStatus('clean', 'processed')).toBe('available');
  });
  it('never makes a quarantined, infected or scan_failed file available directly', () => {
    for (const s of ['quarantined', 'infected', 'scan_failed', 'blocked', 'deleted', 'purged'] as FileStatus[]) {
      expect(canTransition(s, 'processed')).toBe(false);
    }
  });
  it('keeps infected files infected for ever, even when rescanned', () => {
    expect(nextStatus('infected', 'rescan')).toBe('infected');
    expect(canTransition('infected', 'scan_clean')).toBe(false);
    expect(canTransition('infected', 'delete')).toBe(false);
  });
  it('restores a deleted file to the status it had, and purges only deleted files', () => {
    expect(nextStatus('deleted', 'restore', 'available')).toBe('available');
    expect(nextStatus('deleted', 'purge')).toBe('purged');
    expect(() => nextStatus('available', 'purge')).toThrow(/cannot/);
    expect(() => nextStatus('purged', 'restore')).toThrow(/cannot/);
  });
  it('sends a rescanned file back to quarantine and blocks on integrity failure', () => {
    expect(nextStatus('available', 'rescan')).toBe('quarantined');
    expect(nextStatus('scan_failed', 'rescan')).toBe('quarantined');
    expect(nextStatus('available', 'integrity_failed')).toBe('blocked');
    expect(nextStatus('clean', 'processing_failed')).toBe('blocked');
    expect(canTransition('available', 'processing_failed')).toBe(false);
  });
  it('serves only available files', () => {
    expect(STATUSES.filter(isServable)).toEqual(['available']);
  });
});
