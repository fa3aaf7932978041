import type { IncomingMessage } from 'node:http';
import { AppError } from '@medvault/common/errors';

export interface BodyWatchdog {
  /** Rejects with 408 REQUEST_TIMEOUT once the client has sent nothing for `idleMs`. */
  readonly stalled: Promise<never>;
  stop(): void;
}

/**
 * Ends a request body that stops arriving. A client that announces a body and then goes quiet
 * (or a body cut short by a proxy that keeps the connection) would otherwise hold an upload
 * open for ever. Progress is read from the socket's byte counter, so the stream itself is not
 * touched; data waiting in our own buffers, or a paused request (we apply backpressure while S3
 * is slow), counts as progress: only the client's silence is punished, never our slowness.
 */
export function watchBody(raw: IncomingMessage, idleMs: number): BodyWatchdog {
  const socket = raw.socket;
  let lastBytes = socket.bytesRead;
  let lastProgress = Date.now();
  let fire: (e: AppError) => void = () => undefined;
  const stalled = new Promise<never>((_, reject) => {
    fire = reject;
  });
  // Nobody may be racing it at the moment it fires (between two parts): never unhandled.
  stalled.catch(() => undefined);
  const timer = setInterval(
    () => {
      if (raw.complete || socket.destroyed) return;
      const now = Date.now();
      if (socket.bytesRead !== lastBytes || raw.readableLength > 0 || raw.isPaused()) lastProgress = now;
      lastBytes = socket.bytesRead;
      if (now - lastProgress < idleMs) return;
      clearInterval(timer);
      fire(
        new AppError('REQUEST_TIMEOUT', `No request body data for ${Math.round(idleMs / 1000)} s: upload abandoned`, {
          // The rest of the body will never be read: the connection cannot be reused.
          headers: { connection: 'close' },
        }),
      );
    },
    Math.max(50, Math.min(1000, Math.floor(idleMs / 4))),
  );
  timer.unref();
  return { stalled, stop: () => clearInterval(timer) };
}
