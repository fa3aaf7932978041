/**
 * How a repository serialises the writes to one document. On MongoDB a single-document
 * `findOneAndUpdate`/`updateOne` with a condition is atomic, so nothing is needed
 * (`atomicWrites`); FerretDB v1 is not (see ferretdb-write-lock.ts). Chosen once at start-up
 * by `chooseWriteGuard` (mongo-flavour.ts) from what the server is.
 */
export interface WriteGuard {
  /** Runs `fn` (a read-modify-write or conditional update of document `key`) safely. */
  with<T>(key: string, fn: () => Promise<T>): Promise<T>;
  readonly name: string;
}

/** MongoDB: conditional single-document updates are atomic; run them as they are. */
export const atomicWrites: WriteGuard = { name: 'atomic', with: (_key, fn) => fn() };
