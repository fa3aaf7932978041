import { createServer, type Server, connect as tcpConnect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createMongo } from '../src/clients/index.js';
import { eventually } from '../src/testing/index.js';

const target = new URL(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017');

/** A TCP relay to the real database that only starts listening when told: "the database comes up later". */
function lateRelay(port: number) {
  const sockets = new Set<{ destroy(): void }>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = tcpConnect(Number(target.port || 27017), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return {
    up: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r())),
    down: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const fn of cleanup) await fn(); // the client first, then the relay it talks through
});

describe('createMongo', () => {
  it('recovers when the database was unreachable at start (no "Topology is closed" for ever)', async () => {
    const port = await freePort();
    const relay = lateRelay(port);
    const { client, db } = createMongo(`mongodb://127.0.0.1:${port}/medvault`, 'reconnect-test', 'medvault_scratch');
    cleanup.push(() => client.close());
    // While nothing listens, operations fail (and the driver's first connection attempt fails).
    await expect(db.command({ ping: 1 })).rejects.toThrow();
    await relay.up();
    cleanup.push(() => relay.down());
    const pong = await eventually(
      'a ping once the database is reachable',
      async () => (await db.command({ ping: 1 })).ok,
      {
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    );
    expect(pong).toBe(1);
  }, 60_000);

  it('rebuilds a client whose server monitor went silent, once the database answers again', async () => {
    const port = await freePort();
    const relay = lateRelay(port);
    await relay.up();
    let stalls = 0;
    const { client, db } = createMongo(`mongodb://127.0.0.1:${port}/medvault`, 'stall-test', 'medvault_scratch', {
      stallMs: 2000,
      onStall: () => stalls++,
    });
    cleanup.push(() => client.close());
    await eventually('a first ping', async () => (await db.command({ ping: 1 })).ok, { timeoutMs: 20_000 });
    // The stall seen in `npm run faults`: the monitor stops for good (here: stopped by hand, through
    // the driver's private fields), then the database goes away and comes back. Nothing would ever
    // check the server again, so without the watchdog every operation fails server selection.
    const topology: unknown = Reflect.get(client, 'topology');
    const servers: unknown = Reflect.get(Reflect.get(topology as object, 's') as object, 'servers');
    for (const server of (servers as Map<string, object>).values()) {
      const monitor = Reflect.get(server, 'monitor') as { close(): void } | null;
      monitor?.close();
    }
    await relay.down();
    await expect(db.command({ ping: 1 })).rejects.toThrow();
    await relay.up();
    cleanup.push(() => relay.down());
    const pong = await eventually(
      'a ping after the watchdog rebuilt the client',
      async () => (await db.command({ ping: 1 })).ok,
      {
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    );
    expect(pong).toBe(1);
    expect(stalls).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
