import { createTheme } from '@mantine/core';

/** Darker shades than Mantine's defaults: white text on them meets WCAG 2.2 AA contrast (4.5:1). */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  autoContrast: true,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});
