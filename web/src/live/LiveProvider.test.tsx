// @vitest-environment jsdom
import '../test-setup';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { LiveStream, useLive } from './LiveProvider';
import type { EventStreamLike, StreamFactory } from './useEventStream';

/** A stand-in EventSource the test drives by hand. */
function fakeStream() {
  const listeners = new Map<string, (e: MessageEvent<string>) => void>();
  const es = {
    readyState: 0,
    onopen: null as null | (() => void),
    onerror: null as null | (() => void),
    closed: false,
    urls: [] as string[],
    addEventListener: (name: string, f: (e: MessageEvent<string>) => void) => listeners.set(name, f),
    close: () => {
      es.closed = true;
    },
    emit: (name: string, data: string) => listeners.get(name)?.(new MessageEvent(name, { data })),
  };
  const factory: StreamFactory = (url): EventStreamLike => {
    es.urls.push(url);
    return es;
  };
  return { es, factory };
}

function State() {
  return <p>live: {useLive()}</p>;
}

function setup(url: string | null, reopenAfterMs?: number) {
  const qc = new QueryClient();
  const invalidate = vi.spyOn(qc, 'invalidateQueries');
  const { es, factory } = fakeStream();
  const view = render(
    <QueryClientProvider client={qc}>
      <LiveStream url={url} factory={factory} {...(reopenAfterMs ? { reopenAfterMs } : {})}>
        <State />
      </LiveStream>
    </QueryClientProvider>,
  );
  return { es, invalidate, view };
}

describe('LiveStream', { timeout: 20_000 }, () => {
  it('opens the notification stream and says so once it is open', () => {
    const { es } = setup('/v1/notifications/stream');
    expect(es.urls).toEqual(['/v1/notifications/stream']);
    expect(screen.getByText('live: connecting')).toBeTruthy();
    act(() => es.onopen?.());
    expect(screen.getByText('live: open')).toBeTruthy();
  });

  it('refreshes the file list when a file.available notification arrives', () => {
    const { es, invalidate } = setup('/v1/notifications/stream');
    act(() => es.emit('notification', JSON.stringify({ id: 'ntf_1', type: 'file.available' })));
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['files'] });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['notifications'] });
  });

  it('reports the stream unavailable when the server refused it (pages poll), and tries it again later', async () => {
    const { es } = setup('/v1/notifications/stream', 20);
    es.readyState = 2;
    act(() => es.onerror?.());
    expect(screen.getByText('live: unavailable')).toBeTruthy();
    await waitFor(() => expect(es.urls).toHaveLength(2));
    expect(es.closed).toBe(true);
  });

  it('opens nothing while nobody is signed in, and closes the stream on the way out', () => {
    expect(setup(null).es.urls).toEqual([]);
    const { es, view } = setup('/v1/notifications/stream');
    view.unmount();
    expect(es.closed).toBe(true);
  });
});
