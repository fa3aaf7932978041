import { connect } from 'node:net';
import { gatewayHeaders } from '@medvault/common/testing';

export interface RawOutcome {
  /** HTTP status of the answer, or 0 if the connection closed without one. */
  status: number;
  body: string;
  elapsedMs: number;
}

/**
 * Sends a request byte for byte on a raw socket (what a hostile or broken client does, which
 * an HTTP client library would refuse to do) and waits for the first answer. `after`: after the
 * bytes, stay connected and idle, or leave (destroy the socket) after `leaveAfterMs`.
 */
export function rawRequest(
  base: string,
  head: string,
  body: Buffer | string,
  opts: { after: 'idle' | 'leave'; leaveAfterMs?: number; giveUpMs?: number },
): Promise<RawOutcome> {
  const url = new URL(base);
  const started = Date.now();
  return new Promise((resolve) => {
    let got = '';
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(giveUp);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      const split = got.indexOf('\r\n\r\n');
      resolve({
        status: m ? Number(m[1]) : 0,
        body: split >= 0 ? got.slice(split + 4) : '',
        elapsedMs: Date.now() - started,
      });
      sock.destroy();
    };
    const sock = connect(Number(url.port), url.hostname, () => {
      sock.write(head);
      sock.write(body);
      if (opts.after === 'leave') setTimeout(done, opts.leaveAfterMs ?? 300);
    });
    const giveUp = setTimeout(done, opts.giveUpMs ?? 30_000);
    sock.on('data', (c: Buffer) => {
      got += c.toString('utf8');
      // A complete problem+json answer: headers plus a body that parses.
      const split = got.indexOf('\r\n\r\n');
      if (split >= 0) {
        try {
          JSON.parse(got.slice(split + 4));
          done();
        } catch {
          // more to come
        }
      }
    });
    sock.on('close', done);
    sock.on('error', done);
  });
}

/** Start of a multipart upload whose file part never reaches its closing boundary. */
export function unterminatedUpload(
  path: string,
  auth: string,
  content: string,
  declaredLength?: number,
): { head: string; body: string } {
  const boundary = 'unterminated7b9';
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n` +
    `Content-Type: text/plain\r\n\r\n${content}`;
  const length = declaredLength ?? Buffer.byteLength(body);
  // Sent as the gateway forwards it: the files service answers nothing else (gateway assertion).
  const vouched = Object.entries(
    gatewayHeaders('files', { method: 'POST', url: path, headers: { authorization: auth } }),
  )
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const head =
    `POST ${path} HTTP/1.1\r\nHost: files\r\nAuthorization: ${auth}\r\n${vouched}` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`;
  return { head, body };
}
