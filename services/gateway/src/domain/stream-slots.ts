/**
 * Concurrent event streams per user, counted in this gateway instance. A stream's cost (a
 * client connection, an upstream connection, a subscription in notify) is paid by the instance
 * holding it, so the bound is per instance: with N instances behind a balancer a user may hold up
 * to N × max streams. Nothing to leak if the instance dies: the count lives and dies with it.
 */
export class StreamSlots {
  private readonly held = new Map<string, number>();

  constructor(private readonly maxPerUser: number) {}

  /** A release function (idempotent), or null when the user already holds the maximum. */
  acquire(userId: string): (() => void) | null {
    const n = this.held.get(userId) ?? 0;
    if (n >= this.maxPerUser) return null;
    this.held.set(userId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(userId) ?? 1) - 1;
      if (left > 0) this.held.set(userId, left);
      else this.held.delete(userId);
    };
  }

  count(userId: string): number {
    return this.held.get(userId) ?? 0;
  }
}
