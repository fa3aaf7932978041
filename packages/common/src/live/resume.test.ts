import { describe, expect, it } from 'vitest';
import { resumeLive } from './resume.js';

interface M {
  id?: string;
  kind: string;
}

/** A hand-driven live source: `push` delivers to the registered listener. */
function source() {
  let listener: ((m: M) => void) | undefined;
  return {
    listen: (l: (m: M) => void) => {
      listener = l;
      return () => {
        listener = undefined;
      };
    },
    push: (m: M) => listener?.(m),
  };
}

describe('resuming a live feed from Last-Event-ID', () => {
  it('sends the missed messages, then live ones arriving during the replay, in id order and each once', async () => {
    const live = source();
    const sent: M[] = [];
    await resumeLive<M>({
      listen: live.listen,
      resumeFrom: 'm02',
      replay: async (after) => {
        expect(after).toBe('m02');
        // A live message lands while the store is read, one of them also in the replay.
        live.push({ id: 'm05', kind: 'message' });
        live.push({ id: 'm04', kind: 'message' });
        live.push({ kind: 'read' });
        return [
          { id: 'm03', kind: 'message' },
          { id: 'm04', kind: 'message' },
        ];
      },
      idOf: (m) => m.id,
      send: (m) => sent.push(m),
    });
    live.push({ id: 'm04', kind: 'message' });
    live.push({ id: 'm06', kind: 'message' });
    expect(sent.map((m) => m.id ?? m.kind)).toEqual(['m03', 'm04', 'm05', 'read', 'm06']);
  });

  it('replays nothing for a fresh stream and passes live messages as they come', async () => {
    const live = source();
    const sent: M[] = [];
    let replayed = false;
    await resumeLive<M>({
      listen: live.listen,
      resumeFrom: undefined,
      replay: async () => {
        replayed = true;
        return [];
      },
      idOf: (m) => m.id,
      send: (m) => sent.push(m),
    });
    live.push({ id: 'm01', kind: 'message' });
    expect(replayed).toBe(false);
    expect(sent.map((m) => m.id)).toEqual(['m01']);
  });
});
