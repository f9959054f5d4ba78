#!/usr/bin/env node
// Run by the root `pnpm test` before turbo: makes sure the browser tests have a Chromium, installing
// one when it can (Debian's package as root, else playwright's download), else stops at once with
// the one command that fixes it.
import { ensureChromium } from './src/chromium.mjs';

const log = (/** @type {string} */ line) => console.log(`ensure-browser: ${line}`);
try {
  const { path, source, installedBy } = await ensureChromium({ log });
  log(`browser tests use ${path} (${installedBy ? `installed by ${installedBy}` : `from ${source}`})`);
} catch (error) {
  console.error(`ensure-browser: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
