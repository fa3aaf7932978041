export {
  DEFAULT_SEGMENT_SIZE,
  decodeHeader,
  encryptedSize,
  type Header,
  headerLength,
  segmentCount,
  TAG_LENGTH,
} from './format.js';
export {
  canonicalContext,
  type DataKey,
  type DataKeyProvider,
  type EncryptionContext,
  KmsDataKeyProvider,
  LocalDataKeyProvider,
} from './keys.js';
export {
  createDecryptStream,
  createEncryptStream,
  createRangeDecryptStream,
  type DecryptOptions,
  type EncryptorResult,
  type SegmentRange,
  STREAM_BUFFER_BYTES,
  segmentRange,
} from './streams.js';
export { createHashVerifier } from './verify.js';
