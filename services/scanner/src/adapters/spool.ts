import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import yauzl from 'yauzl';

/**
 * A temporary copy of a decrypted archive, so its central directory (at the END of the file)
 * can be read with random access while the file itself was streamed only once from S3.
 *
 * WHY a temp file rather than S3 ranged reads: a ZIP check reads the end record, the central
 * directory, every local header and every member; over S3 that is one ranged GET (plus segment
 * authentication) per read, and member reads would re-download the object. The spool costs one
 * sequential disk write of files that start like a ZIP (others are never spooled).
 *
 * The copy holds patient data, so it is written encrypted under a random AES-256-CTR key that
 * lives only in this process: a crash, a leftover file or a disk snapshot reveals nothing. CTR
 * gives random access (the counter of byte `p` is `iv + floor(p / 16)`). It is not authenticated:
 * the file lives for one scan in a 0700 directory of this process; tampering needs the host.
 */
export class Spool {
  private readonly key = randomBytes(32);
  private readonly iv = randomBytes(16);
  private readonly cipher = createCipheriv('aes-256-ctr', this.key, this.iv);
  private position = 0;

  private constructor(
    private readonly dir: string,
    private readonly file: FileHandle,
    readonly path: string,
  ) {}

  static async create(parent: string): Promise<Spool> {
    const dir = await mkdtemp(join(parent, 'scan-'));
    const path = join(dir, 'spool');
    const file = await open(path, 'wx', 0o600);
    return new Spool(dir, file, path);
  }

  get size(): number {
    return this.position;
  }

  async write(chunk: Buffer): Promise<void> {
    const enc = this.cipher.update(chunk);
    let done = 0;
    while (done < enc.length) {
      const { bytesWritten } = await this.file.write(enc, done, enc.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += chunk.length;
  }

  /** Plaintext bytes [start, end) as a stream. */
  readRange(start: number, end: number): Readable {
    const blockStart = start - (start % 16);
    const counter = (BigInt(`0x${this.iv.toString('hex')}`) + BigInt(blockStart / 16)) % (1n << 128n);
    const iv = Buffer.from(counter.toString(16).padStart(32, '0'), 'hex');
    const decipher = createDecipheriv('aes-256-ctr', this.key, iv);
    let skip = start - blockStart;
    const trim = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        const out = skip > 0 ? chunk.subarray(Math.min(skip, chunk.length)) : chunk;
        skip = Math.max(0, skip - chunk.length);
        cb(null, out);
      },
    });
    const raw = createReadStream(this.path, { start: blockStart, end: Math.max(blockStart, end - 1) });
    if (end <= start) {
      raw.destroy();
      trim.end();
      return trim;
    }
    return pipeline(raw, decipher, trim, () => undefined);
  }

  /** yauzl's random-access interface over the plaintext. */
  reader(): yauzl.RandomAccessReader {
    return new SpoolReader(this);
  }

  /** Closes and deletes the copy (and its directory); safe to call twice. */
  async dispose(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

class SpoolReader extends yauzl.RandomAccessReader {
  constructor(private readonly spool: Spool) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.spool.readRange(start, end);
  }
}
