import { finished, type Readable, type Transform } from 'node:stream';

/**
 * Pipes `source` through `stages` and returns the last stage for a consumer outside this code
 * (S3 upload body, HTTP response). Not `stream.pipeline`: on success pipeline destroys its last
 * stream as soon as that stream's writable side finishes, discarding output still buffered for
 * the outside consumer (observed: the final segments of a download went missing).
 * Any error destroys the whole chain with that error (first error wins, reported once); the
 * consumer giving up (close before end) tears the upstream down so sockets are released.
 */
export function chain(
  source: Readable,
  stages: Transform[],
  onError: (err: Error) => void = () => undefined,
): Transform {
  const all: (Readable | Transform)[] = [source, ...stages];
  const out = stages[stages.length - 1]!;
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    onError(err);
    for (const s of all) if (!s.destroyed) s.destroy(err);
  };
  // A stream destroyed before it was handed to us (busboy destroys a part whose body ended or
  // whose client left while the handler was still authorising) never emits again: neither
  // pipe() nor finished() would ever report it, and the consumer would wait for ever.
  const dead = all.find((s) => s.destroyed && !s.readableEnded);
  if (dead) {
    const err = dead.errored ?? Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    process.nextTick(() => fail(err));
  }
  for (let i = 0; i < all.length - 1; i++) all[i]!.pipe(all[i + 1] as Transform);
  // finished() also reports a stream closed before its end without an error (busboy destroys
  // the part stream silently when the client disconnects) as ERR_STREAM_PREMATURE_CLOSE.
  for (const s of all) finished(s, (err) => err && fail(err));
  out.on('close', () => {
    if (!out.readableEnded) for (const s of all) if (!s.destroyed) s.destroy();
  });
  return out;
}
