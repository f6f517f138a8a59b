import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The server serves web/dist and answers /api; in development Vite proxies
// /api to it (start it with `PORT=3000 npx tsx server/src/main.ts`).
const api = process.env.CIVGRID_API ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [svelte()],
  server: {
    proxy: { '/api': { target: api, changeOrigin: true } },
  },
  preview: {
    proxy: { '/api': { target: api, changeOrigin: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // maplibre-gl alone is ~1 MB minified: a chunk of its own, cached across app releases.
    chunkSizeWarningLimit: 1100,
    rolldownOptions: {
      // The staff app, and the citizen page 你拍我改 at /report/ (no account; none of the staff panels).
      input: { main: resolve(import.meta.dirname, 'index.html'), report: resolve(import.meta.dirname, 'report/index.html') },
      output: {
        codeSplitting: { groups: [{ name: 'maplibre', test: /[\\/]node_modules[\\/](maplibre-gl|@maplibre)[\\/]/ }] },
      },
    },
  },
});
