import { Alert, type CSSVariablesResolver, createTheme, NavLink } from '@mantine/core';

/** Darker shades than Mantine's defaults: white text on them meets WCAG 2.2 AA contrast (4.5:1). */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  autoContrast: true,
  components: {
    // Alert titles in the body text colour: light green or yellow titles fall below 4.5:1.
    Alert: Alert.extend({ styles: { title: { color: 'var(--mantine-color-text)' } } }),
    // The current page filled (white on blue.8): the light variant's blue on its hover tint is below 4.5:1.
    NavLink: NavLink.extend({ defaultProps: { variant: 'filled' } }),
  },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});

/** Dimmed text (descriptions, hints) one shade darker than Mantine's: gray.6 on white is 3.3:1. */
export const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: {},
});
