import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));
const modelsDir = fileURLToPath(new URL('./public/models/', import.meta.url));

// The app always builds against the sibling packages' sources, never a possibly stale dist/.
const digitkitSources = Object.fromEntries(
  readdirSync(packagesDir).map((name) => [`@digitkit/${name}`, `${packagesDir}${name}/src/index.ts`]),
);

// WASM threads need SharedArrayBuffer, which browsers only give cross-origin isolated pages.
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The models shipped in public/models/, in the order the model picker shows them. */
const shippedModels = ['mlp', 'cnn'].filter((kind) => existsSync(`${modelsDir}${kind}/model.json`));

export default defineConfig({
  base: './',
  resolve: {
    alias: digitkitSources,
    // One tfjs-core engine for the app and every package: two copies would never share a backend.
    dedupe: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'],
  },
  define: {
    __DIGITKIT_MODELS__: JSON.stringify(shippedModels),
  },
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  build: {
    target: 'es2022',
    // The .wasm files are fetched by URL; inlining them as data: URLs would bloat the JS.
    assetsInlineLimit: (file) => (file.endsWith('.wasm') || file.endsWith('.bin') ? false : undefined),
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: 'es' },
});
