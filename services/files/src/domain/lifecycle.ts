import { AppError } from '@medvault/common/errors';

/**
 * File status lifecycle (CONTRACT.md, plus `blocked` for integrity failures). Every status
 * change goes through `nextStatus`, so no code path can, say, make an infected file available.
 */
export const STATUSES = [
  'quarantined',
  'clean',
  'available',
  'infected',
  'scan_failed',
  'blocked',
  'deleted',
  'purged',
] as const;
export type FileStatus = (typeof STATUSES)[number];

export type Transition =
  | 'scan_clean'
  | 'scan_infected'
  | 'scan_error'
  | 'processed'
  | 'rescan'
  | 'integrity_failed'
  | 'processing_failed'
  | 'delete'
  | 'restore'
  | 'purge';

const RULES: Record<Transition, { from: readonly FileStatus[]; to: FileStatus | 'previous' | 'same' }> = {
  scan_clean: { from: ['quarantined'], to: 'clean' },
  scan_infected: { from: ['quarantined'], to: 'infected' },
  scan_error: { from: ['quarantined'], to: 'scan_failed' },
  processed: { from: ['clean'], to: 'available' },
  // Infected stays infected for ever (forensics): a rescan is recorded but changes nothing.
  rescan: { from: ['quarantined', 'clean', 'available', 'scan_failed', 'blocked', 'infected'], to: 'quarantined' },
  integrity_failed: { from: ['quarantined', 'clean', 'available'], to: 'blocked' },
  // No watermarked rendition could be made (e.g. decompression bomb): never served, rescan to retry.
  processing_failed: { from: ['clean'], to: 'blocked' },
  // Infected files are evidence: not deletable through the trash.
  delete: { from: ['quarantined', 'clean', 'available', 'scan_failed', 'blocked'], to: 'deleted' },
  restore: { from: ['deleted'], to: 'previous' },
  purge: { from: ['deleted'], to: 'purged' },
};

export function canTransition(from: FileStatus, t: Transition): boolean {
  return RULES[t].from.includes(from);
}

/**
 * The status after `t`, or a 409 when the lifecycle forbids it. `previous` is the status a
 * deleted file had before deletion (restore returns to it).
 */
export function nextStatus(from: FileStatus, t: Transition, previous?: FileStatus): FileStatus {
  if (!canTransition(from, t)) {
    throw new AppError('CONFLICT', `A ${from} file cannot be ${t.replace('_', ' ')}`, {
      details: { fileStatus: from },
    });
  }
  if (t === 'rescan' && from === 'infected') return 'infected';
  const to = RULES[t].to;
  if (to === 'previous') {
    if (!previous || previous === 'deleted' || previous === 'purged') return 'quarantined';
    return previous;
  }
  return to === 'same' ? from : to;
}

/** Only available files are ever served. */
export const isServable = (s: FileStatus) => s === 'available';
