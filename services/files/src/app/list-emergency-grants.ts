import type { Principal } from '@medvault/common/auth';
import type { FilesPorts, GrantRecord } from '../domain/ports.js';

/** GET /v1/emergency-access: the caller's own grants that are active now. */
export function listEmergencyGrants(ports: Pick<FilesPorts, 'grants' | 'clock'>, p: Principal): Promise<GrantRecord[]> {
  return ports.grants.activeFor(p.userId, ports.clock.now());
}
