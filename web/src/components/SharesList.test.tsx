// @vitest-environment jsdom
import '../test-setup';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderUi } from '../test-render';
import { SharesList } from './SharesList';

describe('SharesList', { timeout: 20_000 }, () => {
  it('says a file is shared with nobody', () => {
    renderUi(<SharesList shares={[]} onRevoke={vi.fn()} />);
    expect(screen.getByText('Not shared with anyone.')).toBeTruthy();
  });

  it('shows each share with its expiry and marks an expired one', () => {
    renderUi(
      <SharesList
        shares={[{ userId: 'usr_A' }, { userId: 'usr_B', expiresAt: '2001-01-01T00:00:00Z' }]}
        onRevoke={vi.fn()}
      />,
    );
    expect(screen.getByText(/usr_A · no expiry/)).toBeTruthy();
    expect(screen.getByText(/usr_B · expired/)).toBeTruthy();
  });

  it('revokes the chosen share with the keyboard', async () => {
    const onRevoke = vi.fn(async () => undefined);
    renderUi(<SharesList shares={[{ userId: 'usr_A' }, { userId: 'usr_B' }]} onRevoke={onRevoke} />);
    screen.getByRole('button', { name: 'Revoke share with usr_B' }).focus();
    await userEvent.keyboard('{Enter}');
    expect(onRevoke).toHaveBeenCalledWith('usr_B');
  });

  it('says why a revocation failed', async () => {
    renderUi(<SharesList shares={[{ userId: 'usr_A' }]} onRevoke={() => Promise.reject(new Error('No share'))} />);
    await userEvent.click(screen.getByRole('button', { name: 'Revoke share with usr_A' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('No share'));
  });
});
