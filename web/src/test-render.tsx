import { MantineProvider } from '@mantine/core';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { theme } from './theme';

/** Renders a component the way the console does (Mantine theme), for component tests. */
export const renderUi = (ui: ReactNode) => render(<MantineProvider theme={theme}>{ui}</MantineProvider>);
