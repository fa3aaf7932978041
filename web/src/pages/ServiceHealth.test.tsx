// @vitest-environment jsdom
import '../test-setup';
import { screen } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderPage } from '../test-render';

const fake = await vi.hoisted(async () => (await import('../test-fake-api')).installFakeApi());
const { ServiceHealthPage, byConcern } = await import('./ServiceHealth');

const svc = (name: string, status: 'up' | 'down', down: string[] = []) => ({ name, status, down, latencyMs: 3 });

beforeEach(() => {
  fake.calls = [];
  fake.routes = {
    'GET /v1/me': () => ({ json: { id: 'usr_a', email: 'a@x.test', name: 'A', role: 'admin' } }),
    'GET /v1/admin/health': () => ({
      json: {
        checkedAt: '2026-12-01T10:00:00.000Z',
        items: [svc('gateway', 'up'), svc('audit', 'down', ['mongo']), svc('chat', 'down')],
      },
    }),
  };
});

describe('service health', () => {
  it('puts the services that are down first', () => {
    expect(byConcern([svc('b', 'up'), svc('z', 'down'), svc('a', 'up')]).map((s) => s.name)).toEqual(['z', 'a', 'b']);
  });

  it('says how many services are down and what fails in each, in words', { timeout: 20_000 }, async () => {
    renderPage(<ServiceHealthPage />);
    expect((await screen.findByRole('status')).textContent).toContain('2 of 3 services down');
    expect(screen.getByRole('listitem', { name: 'audit: down' }).textContent).toContain('Failing: mongo');
    expect(screen.getByRole('listitem', { name: 'chat: down' }).textContent).toContain('Not answering');
    expect(screen.getByRole('listitem', { name: 'gateway: up' }).textContent).toContain('Up');
  });
});
