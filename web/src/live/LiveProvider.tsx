import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { useSession } from '../session';
import { parseFrame, staleKeysOf } from './routing';
import { type StreamFactory, type StreamState, useEventStream } from './useEventStream';

const LiveContext = createContext<StreamState>('unavailable');

/**
 * The signed-in user's notification stream (GET /v1/notifications/stream through the gateway,
 * one per tab): each notification refreshes the inbox and the lists it concerns (a file that
 * became available or was blocked, an appointment booked or moved), so pages update without
 * polling. Pages read `useLive()` to poll only while the stream is down.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  // Open only while someone is signed in; signing out closes it (and the gateway ends it too).
  const { me } = useSession();
  return <LiveStream url={me ? '/v1/notifications/stream' : null}>{children}</LiveStream>;
}

/** The stream itself (tests give it a stand-in EventSource). */
export function LiveStream({
  url,
  factory,
  reopenAfterMs,
  children,
}: {
  url: string | null;
  factory?: StreamFactory;
  reopenAfterMs?: number;
  children: ReactNode;
}) {
  const qc = useQueryClient();
  const handlers = useMemo(
    () => ({
      notification: (data: string) => {
        const n = parseFrame(data);
        const type = typeof n?.type === 'string' ? n.type : '';
        for (const queryKey of staleKeysOf(type)) void qc.invalidateQueries({ queryKey });
      },
    }),
    [qc],
  );
  const state = useEventStream(url, handlers, factory, reopenAfterMs);
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

/** Whether live updates are arriving ('open'); anything else means: poll. */
export const useLive = () => useContext(LiveContext);
