import type { Role } from '@medvault/common/auth';
import type { Actor } from '@medvault/common/events';
import type { UserRecord } from './ports.js';

export interface RequestContext {
  requestId: string;
  actor: Actor;
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export const toPublicUser = (u: UserRecord): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
});

export const normaliseEmail = (email: string) => email.trim().toLowerCase();
