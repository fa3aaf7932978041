import { api, must } from './client';
import type { UserItem } from './types';

type Role = UserItem['role'];

/** Pages of 100 read at most: a clinic's whole staff and patient list, not an unbounded crawl. */
export const MAX_USER_PAGES = 20;

/**
 * Every user matching the filter, following the API's cursor (it lists oldest first, 100 a page
 * at most), so the newest are never cut off; capped at MAX_USER_PAGES pages.
 */
export async function fetchAllUsers(filter: { role?: Role; active?: boolean } = {}): Promise<UserItem[]> {
  const out: UserItem[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_USER_PAGES; i++) {
    const page = await must(
      api.GET('/v1/users', { params: { query: { ...filter, limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** Users a filter text matches (name or email, any case), newest first. */
export function filterUsers(users: UserItem[], text: string): UserItem[] {
  const t = text.trim().toLowerCase();
  return users
    .filter((u) => !t || u.name.toLowerCase().includes(t) || u.email.toLowerCase().includes(t))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
