import { createRequire } from 'node:module';
import { Readable, type Writable } from 'node:stream';
import { AppError } from '@medvault/common/errors';

/**
 * multipart/related (RFC 2387) both ways for DICOMweb, streamed: no body is ever held whole.
 * Reading uses Dicer, the streaming multipart parser inside @fastify/busboy (the one the upload
 * form already goes through; busboy itself only accepts multipart/form-data).
 */

/** A part: a Readable that emits 'header' (lower-cased names → values) before its data. */
type PartStream = Readable;
/** Dicer: a Writable that emits 'part' (a PartStream) per part, 'finish' or 'error'. */
type DicerStream = Writable;
type DicerCtor = new (cfg: { boundary: string; maxHeaderPairs?: number }) => DicerStream;
const Dicer = createRequire(import.meta.url)('@fastify/busboy/deps/dicer/lib/Dicer.js') as DicerCtor;

/** A parameter of a Content-Type (`boundary`, `type`), quoted or not. */
export function contentTypeParam(header: string | undefined, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

export interface RelatedPart {
  contentType: string;
  stream: Readable;
}

/**
 * Calls `onPart` for each part of a multipart/related body as it arrives (each part is a stream
 * the handler must consume); resolves with the handlers' results in part order once the body has
 * ended. A malformed body is a 400.
 */
export async function readRelated<T>(
  body: Readable,
  contentType: string | undefined,
  maxParts: number,
  onPart: (part: RelatedPart) => Promise<T>,
): Promise<T[]> {
  const boundary = contentTypeParam(contentType, 'boundary');
  if (!/^multipart\/related\b/i.test(contentType ?? '') || !boundary)
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/related; type="application/dicom" with a boundary');
  const results: Promise<T>[] = [];
  // Results settle as their parts are stored; a failure is reported once the body is read (never unhandled).
  const push = (r: Promise<T>) => {
    r.catch(() => undefined);
    results.push(r);
  };
  const dicer = new Dicer({ boundary, maxHeaderPairs: 20 });
  const done = new Promise<void>((resolve, reject) => {
    dicer.on('finish', () => resolve());
    dicer.on('error', (e) =>
      reject(
        new AppError('MALFORMED_MULTIPART', `Malformed multipart body: ${String((e as Error).message).slice(0, 100)}`),
      ),
    );
    body.on('error', reject);
  });
  dicer.on('part', (part: PartStream) => {
    // The handler reads the part and sees its errors; Dicer also reports them on the part itself.
    part.on('error', () => undefined);
    if (results.length >= maxParts) {
      part.resume();
      push(Promise.reject(new AppError('PAYLOAD_TOO_LARGE', `At most ${maxParts} instances per request`)));
      return;
    }
    let resolve: (v: T) => void = () => undefined;
    let reject: (e: unknown) => void = () => undefined;
    push(
      new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      }),
    );
    part.on('header', (h: Record<string, string[]>) => {
      const type = (h['content-type']?.[0] ?? 'application/dicom').split(';')[0]!.trim().toLowerCase();
      onPart({ contentType: type, stream: part }).then(resolve, reject);
    });
  });
  body.pipe(dicer);
  await done;
  return Promise.all(results);
}

/** A multipart/related body of parts given one after the other (each opened only when its turn comes). */
export function writeRelated(
  boundary: string,
  contentType: string,
  parts: Iterable<() => Promise<Readable>>,
): Readable {
  async function* generate() {
    for (const open of parts) {
      yield Buffer.from(`--${boundary}\r\nContent-Type: ${contentType}\r\n\r\n`);
      for await (const chunk of await open()) yield chunk as Buffer;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return Readable.from(generate(), { objectMode: false });
}
