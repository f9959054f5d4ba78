import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MODELS } from '@digitkit/model';
import { SHIPPED_MODELS } from '@digitkit/recognizer';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkReadmeFigures,
  findFigureBlocks,
  FIGURE_BLOCKS,
  README_FIGURES,
  readShippedFigures,
  SHIPPED_KINDS,
  renderFigureBlocks,
  writeReadmeFigures,
} from './readme-figures.js';
import { repoRoot } from './workspace.js';

const root = repoRoot();
const figures = readShippedFigures(root);
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of the READMEs and the models' metrics.json in a scratch directory, laid out like the repository. */
function scratchRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'readme-figures-'));
  dirs.push(dir);
  for (const file of [...Object.keys(README_FIGURES), ...Object.keys(SHIPPED_KINDS).map((m) => `packages/recognizer/models/${m}/metrics.json`)]) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  return dir;
}

describe('the shipped models', () => {
  it('were each trained by its kind’s recipe as it is now, so `digitkit train --model <kind>` makes them again', () => {
    for (const kind of Object.keys(SHIPPED_KINDS) as (keyof typeof MODELS)[]) {
      const metrics = JSON.parse(readFileSync(join(root, `packages/recognizer/models/${kind}/metrics.json`), 'utf8'));
      const { validation, ...recipe } = metrics.recipe;
      expect(recipe, `${kind}: metrics.json's recipe against MODELS.${kind}.recipe`).toEqual(MODELS[kind].recipe);
      expect(validation).toBe(5000);
      expect(metrics.command).toMatch(new RegExp(`digitkit\\.js train --model ${kind}\\b`));
      expect(metrics.command).not.toMatch(/--(epochs|lr|batch-size|schedule|no-augment)\b/);
    }
  });
});

describe('README figures', () => {
  it('every README figure block is what the shipped models say (run `pnpm readme-figures` when this fails)', () => {
    expect(checkReadmeFigures(root, figures)).toEqual([]);
  });

  it('renders the figures from SHIPPED_MODELS and the models’ metrics.json, not from text typed by hand', () => {
    const { cnn, mlp } = SHIPPED_MODELS;
    const table = FIGURE_BLOCKS['shipped-models']!(figures);
    for (const model of [cnn, mlp]) {
      expect(table).toContain(`| ${model.parameters.toLocaleString('en-US')} | ${(model.float32TestAccuracy * 100).toFixed(2)}% | ${(model.testAccuracy * 100).toFixed(2)}% |`);
    }
    const metrics = JSON.parse(readFileSync(join(root, 'packages/recognizer/models/cnn/metrics.json'), 'utf8'));
    expect(table).toContain(`| ${metrics.epochs} epochs, `);
    expect(FIGURE_BLOCKS['shipped-accuracy']!(figures)).toBe(`${(cnn.testAccuracy * 100).toFixed(2)}% / ${(mlp.testAccuracy * 100).toFixed(2)}%`);
    const readme = readFileSync(join(root, 'packages/recognizer/README.md'), 'utf8');
    expect(findFigureBlocks(readme).find((b) => b.name === 'shipped-models')!.content).toBe(table);
  });

  it('finds a stale figure, a removed block and an unclosed one, and rewrites the stale one', async () => {
    const dir = scratchRepo();
    const file = join(dir, 'apps/web/README.md');
    const shipped = `${(SHIPPED_MODELS.cnn.testAccuracy * 100).toFixed(2)}%`;
    writeFileSync(file, readFileSync(file, 'utf8').replace(shipped, '99.99%'));
    writeFileSync(join(dir, 'README.md'), readFileSync(join(dir, 'README.md'), 'utf8').replace(/<!-- figures:shipped-cnn -->.*?<!-- \/figures:shipped-cnn -->/, '99.5%'));
    expect(checkReadmeFigures(dir, figures)).toEqual(['README.md: no <!-- figures:shipped-cnn --> block', 'apps/web/README.md: figures are stale']);
    expect(await writeReadmeFigures(dir, figures)).toEqual(['apps/web/README.md']);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(root, 'apps/web/README.md'), 'utf8'));
    expect(() => findFigureBlocks('<!-- figures:shipped-cnn -->99%')).toThrow(/shipped-cnn never closed/);
    expect(() => renderFigureBlocks('<!-- figures:nope -->1<!-- /figures:nope -->', figures)).toThrow(/unknown figure block "nope"/);
  });

  it('refuses a metrics.json that disagrees with the shipped catalog', () => {
    const dir = scratchRepo();
    const file = join(dir, 'packages/recognizer/models/mlp/metrics.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), testAccuracy: 0.5 }));
    expect(() => readShippedFigures(dir)).toThrow(/says test accuracy 0\.5 but the shipped catalog says .* re-run packages\/recognizer\/scripts\/embed-models\.ts/);
  });
});
