import { AppError } from '@medvault/common/errors';
import type { Caller, FileAccess, FileFacts } from '../domain/ports.js';

/**
 * The files service's public API, called through the gateway with the sender's own token: the
 * gateway checks the token and signs the assertion files requires, and files applies its own
 * access rules (care, shares, status) and records the share (file.shared). Chat never holds a
 * credential of its own for files, so it can never read or share more than the sender could.
 */
export class GatewayFiles implements FileAccess {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private headers(caller: Caller, json = false): Record<string, string> {
    return {
      authorization: caller.authorization,
      'x-request-id': caller.requestId,
      ...(caller.userAgent ? { 'user-agent': caller.userAgent } : {}),
      ...(json ? { 'content-type': 'application/json' } : {}),
    };
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (cause) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'files service unavailable', {
        cause,
        details: { dependency: 'files' },
      });
    }
  }

  async get(caller: Caller, fileId: string): Promise<FileFacts | null> {
    const res = await this.call(`${this.baseUrl}/v1/files/${encodeURIComponent(fileId)}`, {
      headers: this.headers(caller),
    });
    if (res.status === 403 || res.status === 404 || res.status === 400) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw new AppError('UPSTREAM_FAILED', `files answered ${res.status}`);
    const f = (await res.json()) as Partial<FileFacts>;
    if (!f.id || !f.status || !f.ownerId) throw new AppError('UPSTREAM_FAILED', 'files sent an unexpected record');
    return { id: f.id, status: f.status, ownerId: f.ownerId, patientId: f.patientId ?? f.ownerId };
  }

  async share(caller: Caller, fileId: string, userId: string): Promise<void> {
    const res = await this.call(`${this.baseUrl}/v1/files/${encodeURIComponent(fileId)}/shares`, {
      method: 'POST',
      headers: this.headers(caller, true),
      body: JSON.stringify({ userId }),
    });
    await res.body?.cancel();
    if (res.ok) return;
    if (res.status >= 500) throw new AppError('UPSTREAM_FAILED', `files answered ${res.status}`);
    throw new AppError('UNPROCESSABLE', 'This file cannot be shared with the participants', {
      details: { field: 'attachmentFileIds', fileId, reason: 'not_shareable' },
    });
  }
}
