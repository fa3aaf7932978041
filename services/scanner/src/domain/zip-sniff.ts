/**
 * Streaming detector of ZIP structure in a byte stream, fed chunk by chunk (no buffering beyond
 * a 9-byte carry). clamd treats a local-file-header signature ANYWHERE in a file as an embedded
 * ("self-extracting") ZIP and parses it on its own, skipping what it cannot read (ZIP64 local
 * sizes, streamed entries) without a word. So the scanner must know where such headers are.
 */

export const LOCAL_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_SIG = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
/** Compression methods any extractor implements (stored, deflate … PPMd, AES): others cannot carry a payload. */
const KNOWN_METHODS = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 18, 19, 20, 93, 94, 95, 96, 97, 98, 99]);
const HEAD = 10; // signature (4) .. compression method (8..9)

export interface SniffResult {
  /** The stream begins with a ZIP local header or an empty archive's end record. */
  zipAtStart: boolean;
  /** Offsets of plausible local file headers (capped at `maxHits`, see `overflow`). */
  localHeaders: number[];
  overflow: boolean;
  bytes: number;
}

export class ZipSniffer {
  private carry = Buffer.alloc(0);
  private head = Buffer.alloc(0);
  private seen = 0;
  private readonly hits: number[] = [];
  private overflow = false;

  constructor(private readonly maxHits: number) {}

  push(chunk: Buffer): void {
    if (this.head.length < 4) this.head = Buffer.concat([this.head, chunk.subarray(0, 4 - this.head.length)]);
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.seen - this.carry.length;
    let i = buf.indexOf(LOCAL_SIG);
    while (i !== -1 && i + HEAD <= buf.length) {
      if (KNOWN_METHODS.has(buf.readUInt16LE(i + 8))) this.hit(base + i);
      i = buf.indexOf(LOCAL_SIG, i + 1);
    }
    // Keep enough to recognise a header split across chunks (the unfinished candidate, if any).
    const keepFrom = i !== -1 ? i : Math.max(0, buf.length - (HEAD - 1));
    this.carry = Buffer.from(buf.subarray(keepFrom));
    this.seen += chunk.length;
  }

  private hit(offset: number): void {
    if (this.hits.length >= this.maxHits) this.overflow = true;
    else this.hits.push(offset);
  }

  result(): SniffResult {
    const zipAtStart = this.head.equals(LOCAL_SIG) || this.head.equals(EMPTY_ZIP_SIG);
    return { zipAtStart, localHeaders: [...this.hits], overflow: this.overflow, bytes: this.seen };
  }
}
