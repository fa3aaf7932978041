import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { gatewayUrl } from './scripts/api-types.mjs';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
  server: {
    // The browser sees one origin, as in production: the session cookie and CSRF header work as served.
    proxy: { '/v1': gatewayUrl(), '/docs': gatewayUrl() },
  },
});
