import { expect } from 'vitest';
import type { ConsumerResult } from './consumer.js';
import { installedCopies, installedManifest, workspaceRanges } from './inspect.js';

/** What a consumer run must show, whichever way the packages were installed. */
export function expectWorkingConsumer(result: ConsumerResult, projectDir: string, style: 'esm' | 'cjs'): void {
  expect(result.style).toBe(style);
  const entry = style === 'esm' ? /\/dist\/index\.js$/ : /\/dist\/index\.cjs$/;
  for (const [name, where] of Object.entries(result.resolved)) {
    expect(where, `${name} should load from the consumer's own node_modules`).toContain(`${projectDir}/node_modules/${name}/`);
    expect(where, `${name} should load its ${style} build`).toMatch(entry);
  }
  expect(result.backend).toBe('wasm');
  expect(result.trainCount).toBe(2000);
  expect(result.testCount).toBe(1000);
  // One epoch on 2,000 images: far above chance (10%), though far from the full run's 97%.
  expect(result.evaluationAccuracy).toBeGreaterThan(0.6);
  // predict() on normalize()d pixels sees what evaluate() sees.
  expect(Math.abs(result.predictAccuracy - result.evaluationAccuracy)).toBeLessThanOrEqual(0.002);
  expect(result.epochs).toBe(1);
  // The reloaded model is the same model.
  expect(result.reloadedSameLabels).toBe(1);
  expect(result.reloadedMaxDifference).toBeLessThan(1e-5);
  expect(result.probabilitySum).toBeCloseTo(1, 4);
  expect(result.confusionSvgBytes).toBeGreaterThan(1000);
  // The recognizer reads the weights inside its own tarball: no network, no files to host.
  for (const [model, figures] of Object.entries(result.recognizer.models)) {
    expect(figures.accuracy, `recognizer ${model} on drawn digits`).toBeGreaterThanOrEqual(0.95);
    expect(figures.blank).toBe('empty');
    expect(figures.backend).toBe('wasm');
    expect(figures.shipped).toBeGreaterThan(0.98);
  }
  expect(result.recognizer.lines).toBe(0);
  // Drawn digits saved as PNG files and read back with readPictureFile are answered as their pixels were.
  expect(result.recognizer.filesReadAsPixels).toBe(10);
  expect(result.recognizer.badInput).toBe('DigitkitError:UNKNOWN_MODEL');
  // Training, evaluating, saving, reloading and predicting free every tensor they make.
  expect(result.tensorsLeaked).toBe(0);
}

/** What the installed tree must look like: real versions, one TF.js engine. */
export function expectCleanInstall(projectDir: string, names: readonly string[]): void {
  for (const name of names) {
    expect(workspaceRanges(installedManifest(projectDir, name)), `${name} was published with workspace: ranges`).toEqual([]);
  }
  // Two copies of tfjs-core would mean two engines whose backends never meet.
  expect(installedCopies(projectDir, '@tensorflow/tfjs-core')).toHaveLength(1);
}
