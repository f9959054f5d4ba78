// Issue 10 point 7, end to end on the built CLI: --limit means training images (validation scales with it, an
// impossible --validation is refused with the numbers), and class names for sets that are not digits, on
// Fashion-MNIST (Debian's dataset-fashion-mnist) with a classes.txt beside the IDX files or --classes.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILES, mnistDataDir } from '@digitkit/data';
import { backendLines, digitkit, expectClearError } from './cli-process.js';

const FASHION = '/usr/share/datasets/fashion-mnist';
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

let work: string;
const run = (args: string[]) => digitkit(args, { cwd: work });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'digitkit-sets-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('--limit and --validation', () => {
  it('refuses a --validation that does not fit beside --limit, with the numbers, and a --limit past the set', async () => {
    const tooMany = await run(['train', '--limit', '58000', '--validation', '5000', '--out', 'v', '--backend', 'wasm']);
    expectClearError(tooMany, /--validation 5,000 does not fit beside --limit 58,000: the set has 60,000 training images, so at most 2,000 can be held out/, 2);
    expect(tooMany.stderr).not.toMatch(/Epoch/);
    const past = await run(['train', '--limit', '70000', '--out', 'v', '--backend', 'wasm']);
    expectClearError(past, /--limit 70,000 asks for more training images than the set has \(60,000\)/, 2);
  });

  it('an explicit --validation beside --limit keeps both numbers', async () => {
    const both = await run(['train', '--limit', '600', '--validation', '100', '--epochs', '1', '--out', 'both', '--backend', 'wasm', '--no-report', '--json']);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr).toContain('600 training / 100 validation / 10,000 test images (validation: --validation)');
    expect(JSON.parse(both.stdout).config).toMatchObject({ limit: 600, train: 600, validation: 100 });
  });
});

describe('class names', () => {
  it('refuses a --classes list of the wrong length at once (exit 2), and a classes.txt of the wrong length (exit 1)', async () => {
    const flag = await run(['train', '--classes', 'cat,dog,bird', '--limit', '500', '--out', 'c', '--backend', 'wasm']);
    expectClearError(flag, /--classes names 3 classes \(cat, dog, bird\), but the labels run 0-9 \(10 classes\)\. Give exactly one name per label/, 2);
    expect(flag.stderr).not.toMatch(/loaded .* images/);
    const repeated = await run(['train', '--classes', 'a,b,a', '--out', 'c']);
    expectClearError(repeated, /"a" appears twice/, 2);

    const dir = join(work, 'wrong-names');
    await linkMnistLike(dir, mnistDataDir());
    await writeFile(join(dir, 'classes.txt'), 'one\ntwo\n');
    const info = await run(['info', '--data', dir, '--backend', 'wasm']);
    expectClearError(info, /wrong-names\/classes\.txt names 2 classes \(one, two\), but the labels run 0-9/, 1);
  });

  const skipReason = existsSync(FASHION) ? '' : ` (skipped: ${FASHION} is absent; apt-get install -y dataset-fashion-mnist)`;
  describe.skipIf(skipReason !== '')(`Fashion-MNIST with a classes.txt beside the IDX files${skipReason}`, () => {
    const data = () => join(work, 'fashion');
    let trained: Awaited<ReturnType<typeof run>>;
    beforeAll(async () => {
      await linkMnistLike(data(), FASHION);
      await writeFile(join(data(), 'classes.txt'), `${FASHION_CLASSES.join('\n')}\n`);
      trained = await run(['train', '--data', data(), '--limit', '2000', '--epochs', '2', '--out', 'fashion-out', '--backend', 'wasm', '--json']);
    });

    it('trains on the set, shows its names in the recipe, and keeps them in metrics.json and the model', async () => {
      expect(trained.code, trained.stderr).toBe(0);
      expect(trained.stderr).toContain(`classes     ${FASHION_CLASSES.join(', ')}`);
      const document = JSON.parse(trained.stdout);
      expect(document.config.classNames).toEqual(FASHION_CLASSES);
      expect(document.config.data).toBe(data());
      // Ten clothing classes after 2 short epochs: well above chance (10%), well below MNIST figures.
      expect(document.test.accuracy).toBeGreaterThan(0.5);
      const metrics = JSON.parse(await readFile(join(work, 'fashion-out/metrics.json'), 'utf8'));
      expect(metrics.config.classNames).toEqual(FASHION_CLASSES);
      const modelJson = JSON.parse(await readFile(join(work, 'fashion-out/model/model.json'), 'utf8'));
      expect(modelJson.userDefinedMetadata.classNames).toEqual(FASHION_CLASSES);
      expect(backendLines(trained)).toBe(1);
    });

    it('evaluate, predict and show name the classes (from the model when no --data names them)', async () => {
      const evaluation = await run(['evaluate', '--model-dir', 'fashion-out/model', '--data', data(), '--backend', 'wasm']);
      expect(evaluation.code, evaluation.stderr).toBe(0);
      expect(evaluation.stdout).toMatch(/^9 Ankle boot +\d+/m);
      expect(evaluation.stdout).toMatch(/^T-shirt\/top +[\d.]+ +[\d.]+ +[\d.]+ +1,000$/m);

      // The first Fashion-MNIST test image is an ankle boot (label 9).
      const answer = await run(['predict', '--index', '0', '--model-dir', 'fashion-out/model', '--data', FASHION, '--backend', 'wasm', '--json']);
      expect(answer.code, answer.stderr).toBe(0);
      const [prediction] = JSON.parse(answer.stdout).predictions;
      expect(prediction).toMatchObject({ trueLabel: 9, trueClassName: 'Ankle boot' });
      expect(prediction.className).toBe(FASHION_CLASSES[prediction.label]);
      const text = await run(['predict', '--index', '0', '--model-dir', 'fashion-out/model', '--data', FASHION, '--backend', 'wasm']);
      expect(text.stdout).toMatch(/\(true label: Ankle boot\)/);
      expect(text.stdout).toMatch(/^ {2}Ankle boot {3}[█·]{40} +[\d.]+%$/m);

      const show = await run(['show', 'predictions', '--count', '2', '--model-dir', 'fashion-out/model', '--data', FASHION, '--out', 'cards', '--backend', 'wasm']);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toMatch(/prediction-0\.svg {2}test image 0: .+ \(true: Ankle boot\)/);
      expect(await readFile(join(work, 'cards/predictions/prediction-0.svg'), 'utf8')).toContain('Ankle boot');
      for (const command of [evaluation, answer, text, show]) expect(backendLines(command)).toBe(1);
      // The sample grid draws label numbers; the names beside the data say what they are.
      const samples = await run(['show', 'samples', '--count', '10', '--data', data(), '--out', 'cards']);
      expect(samples.code, samples.stderr).toBe(0);
      expect(samples.stdout).toContain(`labels: ${FASHION_CLASSES.map((name, i) => `${i} ${name}`).join(', ')}`);

      // --classes wins over the names the model keeps.
      const renamed = FASHION_CLASSES.map((name) => name.toUpperCase());
      const flagged = await run(['predict', '--index', '0', '--model-dir', 'fashion-out/model', '--data', FASHION, '--classes', renamed.join(','), '--backend', 'wasm', '--json']);
      expect(JSON.parse(flagged.stdout).predictions[0].trueClassName).toBe('ANKLE BOOT');
    });
  });
});

/** A directory holding the four IDX files of `source` as links, so a classes.txt can sit beside them. */
async function linkMnistLike(dir: string, source: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of MNIST_FILES) {
    const file = [`${name}.gz`, name].find((candidate) => existsSync(join(source, candidate)))!;
    await symlink(join(source, file), join(dir, file));
  }
}
