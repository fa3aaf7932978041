import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests resolve .local/state from it). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
