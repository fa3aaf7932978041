// @vitest-environment jsdom
import '../test-setup';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Notification } from '../api/types';
import { ConversationList } from '../chat/ConversationList';
import { renderUi } from '../test-render';
import { NotificationList } from './Notifications';

const n = (id: string, title: string, readAt: string | null): Notification => ({
  id,
  type: 'file.available',
  title,
  body: 'Open MedVault to see it.',
  refs: {},
  link: '/v1/files/fil_1',
  createdAt: '2030-01-01T00:00:00Z',
  readAt,
});

describe('NotificationList', { timeout: 20_000 }, () => {
  it('marks unread notifications New and offers Mark read only on those', async () => {
    const onRead = vi.fn();
    renderUi(<NotificationList items={[n('ntf_2', 'Unread one', null), n('ntf_1', 'Old one', 'x')]} onRead={onRead} />);
    expect(screen.getAllByText('New')).toHaveLength(1);
    const buttons = screen.getAllByRole('button', { name: /^Mark read/ });
    expect(buttons).toHaveLength(1);
    await userEvent.click(buttons[0] as HTMLElement);
    expect(onRead).toHaveBeenCalledWith(expect.objectContaining({ id: 'ntf_2' }));
  });
});

describe('ConversationList', { timeout: 20_000 }, () => {
  const c = (id: string, subject: string, unreadCount: number) => ({
    id,
    subject,
    participantIds: ['usr_A', 'usr_B'],
    createdBy: 'usr_A',
    createdAt: '2030-01-01T00:00:00Z',
    lastMessageAt: '2030-01-01T00:00:00Z',
    unreadCount,
    readUpTo: {},
  });
  it('says how many messages are unread in each conversation and opens the chosen one', async () => {
    const onSelect = vi.fn();
    renderUi(
      <ConversationList
        items={[c('cnv_1', 'Knee', 3), c('cnv_2', 'Hip', 0)]}
        meId="usr_A"
        selected={null}
        onSelect={onSelect}
      />,
    );
    expect(screen.getByRole('button', { name: 'Knee, 3 unread' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Hip' }));
    expect(onSelect).toHaveBeenCalledWith('cnv_2');
  });
});
