import { Readable } from 'node:stream';

/** Fetches bytes [start, end] (inclusive) of one object; `signal` aborts the request. */
export type FetchRange = (start: number, end: number, signal: AbortSignal) => Promise<AsyncIterable<Buffer>>;

export interface ReadAheadOptions {
  /** First and last byte (inclusive) of the object to stream. */
  start: number;
  end: number;
  /** Bytes per ranged GET. */
  partBytes: number;
  /** Parts requested ahead of the one being written (memory ≈ partBytes × (ahead + 1)). */
  ahead: number;
  /** Attempts per part (a part that breaks mid-body is fetched again whole). */
  attempts?: number;
  /** Bytes the stream buffers for its consumer beyond the parts (default 64 KiB). */
  highWaterMark?: number;
  /** Called when a part is complete (benchmarks time the S3 stage with it). */
  onPart?: (bytes: number, ms: number) => void;
}

interface Part {
  chunks: Buffer[];
  bytes: number;
}

/**
 * An object as ranged GETs of `partBytes`, up to `ahead` of them in flight while the consumer
 * writes the current one, emitted in order.
 *
 * WHY: one GET streams an object at the pace of one connection of the store (the emulator, or
 * one S3 prefix connection), and the reader then waits on the store between every chunk. Parallel
 * ranged GETs (what the AWS CLI and S3 Transfer Manager do) keep the store busy while we decrypt
 * and write. Bounded: the generator is pulled only as the consumer reads (Readable.from honours
 * backpressure), so a slow client holds at most `ahead + 1` parts, never the object. A part's
 * chunks are kept as received (no concatenation); a part that fails mid-body is fetched again.
 */
export function readAhead(fetch: FetchRange, o: ReadAheadOptions): Readable {
  const abort = new AbortController();
  const attempts = Math.max(1, o.attempts ?? 3);
  const load = async (s: number, e: number): Promise<Part> => {
    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      try {
        const part: Part = { chunks: [], bytes: 0 };
        for await (const c of await fetch(s, e, abort.signal)) {
          part.chunks.push(c);
          part.bytes += c.length;
        }
        if (part.bytes !== e - s + 1) throw new Error(`ranged read returned ${part.bytes} of ${e - s + 1} bytes`);
        o.onPart?.(part.bytes, performance.now() - t0);
        return part;
      } catch (err) {
        if (abort.signal.aborted || attempt >= attempts) throw err;
      }
    }
  };
  async function* parts(): AsyncGenerator<Buffer> {
    const inflight: Promise<Part>[] = [];
    let next = o.start;
    const launch = () => {
      while (inflight.length <= o.ahead && next <= o.end) {
        const s = next;
        const e = Math.min(o.end, s + o.partBytes - 1);
        next = e + 1;
        const p = load(s, e);
        // Settled later (in order) or abandoned on abort: never an unhandled rejection.
        p.catch(() => undefined);
        inflight.push(p);
      }
    };
    try {
      launch();
      while (inflight.length) {
        const part = await inflight.shift()!;
        launch();
        for (const c of part.chunks) yield c;
      }
    } finally {
      // The consumer went away or a part failed: stop the GETs still running.
      abort.abort();
    }
  }
  return Readable.from(parts(), { objectMode: false, highWaterMark: o.highWaterMark ?? 64 * 1024 });
}
