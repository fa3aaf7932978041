// @vitest-environment jsdom
import '../test-setup';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { FileItem } from '../api/types';
import { renderUi } from '../test-render';
import { TrashTable } from './Trash';

const now = new Date('2030-01-10T12:00:00Z');
const deleted = (id: string, name: string, purgeAfter: string): FileItem => ({
  id,
  name,
  status: 'deleted',
  size: 2048,
  sha256: 'ab',
  contentType: 'application/pdf',
  ownerId: 'usr_P',
  patientId: 'usr_P',
  uploadedBy: 'usr_P',
  version: 1,
  generation: 1,
  downloads: 0,
  shares: [],
  hasWatermarkedRendition: false,
  createdAt: '2030-01-01T00:00:00Z',
  updatedAt: '2030-01-09T12:00:00Z',
  deletedAt: '2030-01-09T12:00:00Z',
  purgeAfter,
});

describe('TrashTable', { timeout: 20_000 }, () => {
  it('shows each deleted file with the days left before its purge', () => {
    renderUi(
      <TrashTable
        files={[deleted('fil_1', 'a.pdf', '2030-02-08T12:00:00Z'), deleted('fil_2', 'b.pdf', '2030-01-11T00:00:00Z')]}
        now={now}
        onRestore={vi.fn()}
      />,
    );
    const rows = screen.getAllByRole('row');
    expect(rows[1]?.textContent).toContain('29 days left');
    expect(rows[2]?.textContent).toContain('1 day left');
  });

  it('restores the file whose Restore button was pressed', async () => {
    const onRestore = vi.fn();
    renderUi(
      <TrashTable
        files={[deleted('fil_1', 'a.pdf', '2030-02-08T12:00:00Z'), deleted('fil_2', 'b.pdf', '2030-02-08T12:00:00Z')]}
        now={now}
        onRestore={onRestore}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Restore b.pdf' }));
    expect(onRestore).toHaveBeenCalledWith(expect.objectContaining({ id: 'fil_2' }));
  });
});
