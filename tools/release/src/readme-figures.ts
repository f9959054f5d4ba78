// README figures rendered from what is shipped (the recognizer's measured figures and its models' metrics.json),
// never typed by hand: each sits between <!-- figures:NAME --> and <!-- /figures:NAME --> markers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@digitkit/data';
import { SHIPPED_MODELS, SHIPPED_NUMBER_READER, type ShippedModel } from '@digitkit/recognizer';
import { repoRoot } from './workspace.js';

/** Every model the recognizer ships, by the kind that trains it: the digit models and the number reader. */
export const SHIPPED_KINDS: Record<string, Omit<ShippedModel, 'name'>> = { ...SHIPPED_MODELS, numbers: SHIPPED_NUMBER_READER };

/** The shipped models' figures, as the package reports them plus their training runs' metrics.json. */
export interface ShippedFigures {
  models: Record<string, Omit<ShippedModel, 'name'> & { epochs: number; seconds: number }>;
}

/** Which README holds which blocks: a block missing from its README fails the check like a stale one. */
export const README_FIGURES: Record<string, readonly string[]> = {
  'README.md': ['shipped-accuracy', 'shipped-cnn'],
  'apps/web/README.md': ['shipped-models'],
  'packages/recognizer/README.md': ['shipped-models'],
  'packages/model/README.md': ['shipped-cnn-float32'],
};

/** Reads the figures: SHIPPED_KINDS (from src/shipped/catalog.ts) and packages/recognizer/models/<name>/metrics.json. */
export function readShippedFigures(root = repoRoot()): ShippedFigures {
  const models: ShippedFigures['models'] = {};
  for (const [name, model] of Object.entries(SHIPPED_KINDS)) {
    const file = join(root, 'packages/recognizer/models', name, 'metrics.json');
    const metrics = JSON.parse(readFileSync(file, 'utf8')) as { epochs: number; seconds: number; testAccuracy: number };
    if (metrics.testAccuracy !== model.float32TestAccuracy) {
      throw new Error(
        `${file} says test accuracy ${metrics.testAccuracy} but the shipped catalog says ${model.float32TestAccuracy} for the float32 ${name}: re-run packages/recognizer/scripts/embed-models.ts.`,
      );
    }
    models[name] = { ...model, epochs: metrics.epochs, seconds: metrics.seconds };
  }
  return { models };
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(2)}%`;
const count = (n: number) => n.toLocaleString('en-US');
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const minutes = (seconds: number) => (seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`);

function change(model: Omit<ShippedModel, 'name'>): string {
  const points = (model.testAccuracy - model.float32TestAccuracy) * 100;
  return `${points < 0 ? '−' : '+'}${Math.abs(points).toFixed(2)} point`;
}

/** Every block by name: a table or an inline figure. Inline ones hold no newline. */
export const FIGURE_BLOCKS: Record<string, (figures: ShippedFigures) => string> = {
  'shipped-models': ({ models }) =>
    [
      `| model | parameters | float32 | shipped (uint8) | change | weights | trained |`,
      `| --- | --- | --- | --- | --- | --- | --- |`,
      ...Object.entries(models).map(
        ([name, m]) =>
          `| \`${name}\`${name === 'cnn' ? ' (default)' : ''}: ${m.description} | ${count(m.parameters)} | ${percent(m.float32TestAccuracy)} | ` +
          `${percent(m.testAccuracy)} | ${change(m)} | ${kb(m.float32WeightBytes)} → ${kb(m.weightBytes)} | ${m.epochs} epochs, ${minutes(m.seconds)} |`,
      ),
      '',
      `Test accuracy on the ${count(Object.values(models)[0]!.testImages)} MNIST test images (the number reader's: over its 112 classes, on as many numbers made from them); rendered from \`packages/recognizer/src/shipped/catalog.ts\` and ` +
        '`packages/recognizer/models/*/metrics.json` by `pnpm readme-figures`.',
    ].join('\n'),
  'shipped-accuracy': ({ models }) => `${percent(models.cnn!.testAccuracy)} / ${percent(models.mlp!.testAccuracy)}`,
  'shipped-cnn': ({ models }) => `${percent(models.cnn!.float32TestAccuracy)}, ${percent(models.cnn!.testAccuracy)} as uint8`,
  'shipped-cnn-float32': ({ models }) => percent(models.cnn!.float32TestAccuracy),
};

const MARKER = /<!-- figures:([\w-]+) -->([\s\S]*?)<!-- \/figures:\1 -->/g;

/** The blocks of a README: name and current content (block content drops the newline after and before the markers). */
export function findFigureBlocks(text: string): { name: string; content: string }[] {
  const opened = [...text.matchAll(/<!-- figures:([\w-]+) -->/g)].map((m) => m[1]!);
  const blocks = [...text.matchAll(MARKER)].map((m) => ({ name: m[1]!, content: m[2]!.replace(/^\n/, '').replace(/\n$/, '') }));
  const unclosed = opened.filter((name) => !blocks.some((b) => b.name === name));
  if (unclosed.length > 0) throw new Error(`figure block${unclosed.length > 1 ? 's' : ''} ${unclosed.join(', ')} never closed: end each with <!-- /figures:NAME -->`);
  return blocks;
}

/** The README with every block re-rendered (a block written across lines stays across lines). */
export function renderFigureBlocks(text: string, figures: ShippedFigures): string {
  findFigureBlocks(text);
  return text.replace(MARKER, (_all, name: string, content: string) => {
    const render = FIGURE_BLOCKS[name];
    if (!render) throw new Error(`unknown figure block "${name}"; known: ${Object.keys(FIGURE_BLOCKS).join(', ')}`);
    const body = render(figures);
    return content.startsWith('\n') ? `<!-- figures:${name} -->\n${body}\n<!-- /figures:${name} -->` : `<!-- figures:${name} -->${body}<!-- /figures:${name} -->`;
  });
}

/** What is wrong with the READMEs: stale or missing blocks, one line each (empty when all are current). */
export function checkReadmeFigures(root = repoRoot(), figures = readShippedFigures(root)): string[] {
  const problems: string[] = [];
  for (const [readme, expected] of Object.entries(README_FIGURES)) {
    const text = readFileSync(join(root, readme), 'utf8');
    const names = findFigureBlocks(text).map((b) => b.name);
    for (const name of expected) if (!names.includes(name)) problems.push(`${readme}: no <!-- figures:${name} --> block`);
    if (renderFigureBlocks(text, figures) !== text) problems.push(`${readme}: figures are stale`);
  }
  return problems;
}

/** Re-renders every README's blocks in place; returns the READMEs that changed. */
export async function writeReadmeFigures(root = repoRoot(), figures = readShippedFigures(root)): Promise<string[]> {
  const changed: string[] = [];
  for (const readme of Object.keys(README_FIGURES)) {
    const file = join(root, readme);
    const text = readFileSync(file, 'utf8');
    const updated = renderFigureBlocks(text, figures);
    if (updated !== text) {
      await writeFileAtomic(file, updated);
      changed.push(readme);
    }
  }
  return changed;
}
