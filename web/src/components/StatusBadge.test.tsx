// @vitest-environment jsdom
import '../test-setup';
import { MantineProvider } from '@mantine/core';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { theme } from '../theme';
import { StatusBadge } from './StatusBadge';

const renderBadge = (status: string) =>
  render(
    <MantineProvider theme={theme}>
      <StatusBadge status={status} />
    </MantineProvider>,
  );

describe('StatusBadge', () => {
  it('says in words that a file is infected', () => {
    renderBadge('infected');
    expect(screen.getByText('Infected')).toBeTruthy();
  });

  it('says a quarantined file is being scanned', () => {
    renderBadge('quarantined');
    expect(screen.getByText('Scanning')).toBeTruthy();
  });

  it('shows an unknown future status as it is rather than hiding it', () => {
    renderBadge('archived');
    expect(screen.getByText('archived')).toBeTruthy();
  });
});
