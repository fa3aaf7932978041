/**
 * The files service for the benchmark, in a process of its own (as deployed): built and listening
 * on an ephemeral port, no queue consumers or jobs (the benchmark applies the pipeline's verdicts
 * itself). Prints `LISTENING <port>` once ready; SIGTERM closes it.
 *
 * WHY a process: in one process the benchmark's client (HTTP parse + SHA-256 of every byte it
 * receives) and the service share an event loop and a core, so the download figure measured the
 * two together; apart, each has its own CPU figure and the service keeps a core for itself.
 */
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';

const deps = await buildDeps(loadServiceConfig(process.env));
const app = await buildApp(deps);
await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`LISTENING ${(app.server.address() as AddressInfo).port}`);
const stop = () => {
  void (async () => {
    await app.close();
    await deps.close();
    process.exit(0);
  })();
};
process.once('SIGTERM', stop);
process.stdin.on('end', stop).resume(); // the benchmark went away
