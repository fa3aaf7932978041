import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { SessionProvider } from './session';
import { theme } from './theme';

/** Renders a component the way the console does (Mantine theme), for component tests. */
export const renderUi = (ui: ReactNode) => render(<MantineProvider theme={theme}>{ui}</MantineProvider>);

/** Renders a page as the console does: Mantine, a fresh query cache (no retries) and the session. */
export function renderPage(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider theme={theme}>
      <QueryClientProvider client={qc}>
        <SessionProvider>{ui}</SessionProvider>
      </QueryClientProvider>
    </MantineProvider>,
  );
}
