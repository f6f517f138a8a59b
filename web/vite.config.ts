import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The server serves web/dist and answers /api; in development Vite proxies
// /api to it (start it with `PORT=3000 npx tsx server/src/main.ts`).
const api = process.env.CIVGRID_API ?? 'http://localhost:3000';

/**
 * The files the field app (/field/) loads: its HTML, its entry chunk and
 * every chunk, stylesheet and asset (the MapLibre worker) reachable from it,
 * collected from the bundle so that its service worker precaches those and
 * not the staff app's.
 */
const fieldShell = new Set<string>(['field/index.html']);
function collectFieldShell(): Plugin {
  return {
    name: 'civgrid-field-shell',
    apply: 'build',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry && c.facadeModuleId?.endsWith('/field/index.html'));
      const visit = (name: string) => {
        const chunk = bundle[name];
        if (!chunk || fieldShell.has(name)) return;
        fieldShell.add(name);
        if (chunk.type !== 'chunk') return;
        for (const next of [...chunk.imports, ...chunk.dynamicImports]) visit(next);
        for (const file of [...(chunk.viteMetadata?.importedCss ?? []), ...(chunk.viteMetadata?.importedAssets ?? [])]) fieldShell.add(file);
      };
      if (entry) visit(entry.fileName);
    },
  };
}

export default defineConfig({
  plugins: [
    svelte(),
    collectFieldShell(),
    // The field app's service worker: precaches its shell so that /field/ opens offline (the data is in IndexedDB).
    VitePWA({
      injectRegister: false, // field.ts registers it, on /field/ only
      manifest: false, // web/public/field/manifest.webmanifest
      filename: 'field/sw.js',
      scope: '/field/',
      workbox: {
        globPatterns: ['field/**/*.{html,png,webmanifest}', 'assets/**/*.{js,mjs,css,png,svg,woff2}'],
        // only the field app's files, at their absolute URLs (the worker lives in /field/, the assets in /assets/)
        manifestTransforms: [
          async (entries) => ({
            manifest: entries.filter((e) => e.url.startsWith('field/') || fieldShell.has(e.url)).map((e) => ({ ...e, url: `/${e.url}` })),
            warnings: [],
          }),
        ],
        navigateFallback: '/field/index.html',
        navigateFallbackAllowlist: [/^\/field\//],
        navigateFallbackDenylist: [/^\/api\//],
        inlineWorkboxRuntime: true,
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
    }),
  ],
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
      // The staff app, the citizen page 你拍我改 at /report/ (no account; none of the staff panels),
      // and the inspectors' field app 网格巡查 at /field/ (offline, installable).
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        report: resolve(import.meta.dirname, 'report/index.html'),
        field: resolve(import.meta.dirname, 'field/index.html'),
      },
      output: {
        codeSplitting: { groups: [{ name: 'maplibre', test: /[\\/]node_modules[\\/](maplibre-gl|@maplibre)[\\/]/ }] },
      },
    },
  },
});
