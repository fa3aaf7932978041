import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from 'react';
import { ApiError, api, setUnauthenticatedHandler, withCsrf } from './api/client';
import type { Role } from './nav';

export interface Me {
  id: string;
  email: string;
  name: string;
  role: Role;
}

interface SessionValue {
  me: Me | null;
  loading: boolean;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

/** Minutes without a key press, click or scroll before the console signs the user out. */
export const IDLE_MINUTES = 15;
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

async function post(path: string, body?: unknown) {
  const headers = new Headers(body ? { 'content-type': 'application/json' } : {});
  withCsrf('POST', headers);
  const res = await fetch(path, {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
  return res.status === 204 ? undefined : ((await res.json()) as { expiresIn: number });
}

/**
 * The signed-in user, from the HttpOnly session cookie (script never holds a token): GET /v1/me
 * answers who it is. Keeps the session fresh while the user is active, signs out after
 * IDLE_MINUTES without activity.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const meQuery = useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      const { data, response } = await api.GET('/v1/me');
      if (response.status === 401) return null;
      if (!response.ok || !data) throw new ApiError(response.status, {});
      return data as Me;
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const me = meQuery.data ?? null;

  const signOut = useCallback(async () => {
    await post('/v1/auth/session/logout').catch(() => undefined);
    // Forget everything the signed-in user loaded; `me` last, so the page shows sign-in at once.
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    qc.setQueryData(['me'], null);
  }, [qc]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      await post('/v1/auth/session', { email, password });
      await qc.invalidateQueries({ queryKey: ['me'] });
    },
    [qc],
  );

  useEffect(() => {
    setUnauthenticatedHandler(() => qc.setQueryData(['me'], null));
  }, [qc]);

  // Refresh the session cookie before the access token in it expires (the API says how long it lives).
  useEffect(() => {
    if (!me) return;
    const t = setInterval(
      () => void post('/v1/auth/session/refresh').catch(() => qc.setQueryData(['me'], null)),
      4 * 60_000,
    );
    return () => clearInterval(t);
  }, [me, qc]);

  // Idle sign-out: a console left open on a shared ward computer must not stay signed in.
  useEffect(() => {
    if (!me) return;
    let timer = setTimeout(() => void signOut(), IDLE_MINUTES * 60_000);
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void signOut(), IDLE_MINUTES * 60_000);
    };
    for (const e of ACTIVITY) window.addEventListener(e, reset, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const e of ACTIVITY) window.removeEventListener(e, reset);
    };
  }, [me, signOut]);

  const value = useMemo(
    () => ({ me, loading: meQuery.isPending, signIn, signOut }),
    [me, meQuery.isPending, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
