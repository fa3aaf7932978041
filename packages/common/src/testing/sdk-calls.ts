import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';

/** One command a client sent, as a test sees it (name and input). */
export interface SdkCall {
  command: string;
  input: Record<string, unknown>;
}

/**
 * Records every command the given clients send, into `calls`, and still sends it (the real
 * S3/KMS answers): tests count what a service asked of the stack, e.g. that an object was read
 * once (issue 18), without mocking either. Test harnesses only.
 */
export function recordSdkCalls(calls: SdkCall[], clients: { s3?: S3Client; kms?: KMSClient }): void {
  const recorder =
    <A extends { input: unknown }, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
    (args: A) => {
      calls.push({ command: context.commandName ?? '', input: args.input as Record<string, unknown> });
      return next(args);
    };
  const at = { step: 'initialize', name: 'recordSdkCallsForTest' } as const;
  clients.s3?.middlewareStack.add(recorder, at);
  clients.kms?.middlewareStack.add(recorder, at);
}
