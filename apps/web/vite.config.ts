import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));

// The app always builds against the sibling packages' sources, never a possibly stale dist/.
const digitkitSources = Object.fromEntries(
  readdirSync(packagesDir).map((name) => [`@digitkit/${name}`, `${packagesDir}${name}/src/index.ts`]),
);

// WASM threads need SharedArrayBuffer, which browsers only give cross-origin isolated pages.
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  resolve: {
    alias: digitkitSources,
    // One tfjs-core engine for the app and every package: two copies would never share a backend.
    dedupe: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'],
  },
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  build: {
    target: 'es2022',
    // The .wasm files are fetched by URL; inlining them as data: URLs would bloat the JS.
    assetsInlineLimit: (file) => (file.endsWith('.wasm') || file.endsWith('.bin') ? false : undefined),
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      output: {
        // The recognizer's shipped weights are lazy chunks; a `model-` prefix lets the tests and the bench find them.
        chunkFileNames: (chunk) => (chunk.facadeModuleId?.includes('/recognizer/src/shipped/') ? 'assets/model-[name]-[hash].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  worker: { format: 'es' },
});
