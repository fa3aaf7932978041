import { describe, expect, it } from 'vitest';
import { startChildServer } from './child-server.js';

describe('startChildServer', () => {
  it('resolves with what the child says it listens on, and stops it', async () => {
    const script = "console.log('LISTENING 4242'); process.stdin.on('end', () => process.exit(0)).resume();";
    const child = await startChildServer(['-e', script], process.env, 'probe');
    expect(child.address).toBe('4242');
    expect(child.pid).toBeGreaterThan(0);
    await child.stop();
  });

  it('fails naming the child when it exits before listening', async () => {
    await expect(startChildServer(['-e', 'process.exit(3)'], process.env, 'probe')).rejects.toThrow(
      'probe exited (3) before listening',
    );
  });
});
