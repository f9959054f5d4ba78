// Copies trained models from `digitkit train` output directories into public/models/<kind>/,
// where the app loads them. Usage (from the repo root):
//   pnpm --filter @digitkit/web export-models [<trainer --out dir> ...]
// With no arguments it looks in out/ and out-cnn/ (repo root) and apps/trainer/out*/. Each model's kind (mlp or
// cnn) is read from its model.json; files are checked (JSON, weight sizes) and swapped in atomically.
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

const appDir = join(import.meta.dirname, '..');
const modelsDir = join(appDir, 'public/models');
const repoDir = join(appDir, '../..');
const defaultRoots = ['out', 'out-cnn', 'apps/trainer/out', 'apps/trainer/out-cnn'].map((d) => join(repoDir, d)).filter((d) => existsSync(d));
// pnpm runs scripts in apps/web; INIT_CWD is where the user typed the command.
const cwd = process.env.INIT_CWD ?? process.cwd();

function fail(message) {
  console.error(`export-models: ${message}`);
  process.exit(1);
}

/** Finds model directories (holding model.json) under a trainer output directory. */
async function findModels(dir) {
  if (existsSync(join(dir, 'model.json'))) return [dir];
  if (existsSync(join(dir, 'model', 'model.json'))) return [join(dir, 'model')];
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory() && entry.name !== 'checkpoint') found.push(...(await findModels(join(dir, entry.name))));
  }
  return found;
}

const BYTES = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Reads and checks one model directory; returns its kind and the files to copy. */
async function inspect(dir) {
  const jsonPath = join(dir, 'model.json');
  let json;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (error) {
    fail(`${jsonPath} is not valid JSON (${error.message}); train the model again.`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) fail(`${jsonPath} is not a TF.js layers model (no modelTopology / weightsManifest).`);
  const files = ['model.json'];
  for (const group of json.weightsManifest) {
    const expected = group.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * (BYTES[w.quantization?.dtype ?? w.dtype] ?? 4), 0);
    let actual = 0;
    for (const path of group.paths) {
      const size = await stat(join(dir, path)).then((s) => s.size, () => fail(`${jsonPath} names ${path}, which is missing beside it.`));
      actual += size;
      files.push(path);
    }
    if (actual !== expected) fail(`the weights of ${jsonPath} hold ${actual} bytes but model.json describes ${expected}: the files do not belong together.`);
  }
  const stored = json.userDefinedMetadata?.digitkit?.kind;
  const shape = JSON.stringify(json.modelTopology?.config?.layers?.[0]?.config?.batch_input_shape ?? json.modelTopology?.model_config?.config?.layers?.[0]?.config?.batch_input_shape ?? []);
  const kind = stored === 'mlp' || stored === 'cnn' ? stored : shape === '[null,784]' ? 'mlp' : shape === '[null,28,28,1]' ? 'cnn' : undefined;
  if (!kind) fail(`cannot tell whether ${jsonPath} is an MLP or a CNN (input shape ${shape}).`);
  return { kind, files };
}

const args = process.argv.slice(2).filter((a) => a !== '--');
const roots = args.length > 0 ? args.map((a) => (isAbsolute(a) ? a : resolve(cwd, a))) : defaultRoots;
if (roots.length === 0) fail('no trainer output found (out/, out-cnn/). Train first: pnpm train, or pass the --out directories of `digitkit train` runs.');
const dirs = [];
for (const root of roots) {
  if (!existsSync(root)) fail(`${root} does not exist. Pass the --out directory of a finished \`digitkit train\` run.`);
  const found = await findModels(root);
  if (found.length === 0) fail(`no model.json under ${root}. Pass the --out directory of a finished \`digitkit train\` run.`);
  dirs.push(...found);
}

const chosen = new Map();
for (const dir of dirs) {
  const model = await inspect(dir);
  if (chosen.has(model.kind)) {
    if (args.length > 0) fail(`two ${model.kind.toUpperCase()} models given (${chosen.get(model.kind).dir} and ${dir}); pass one of each.`);
    console.log(`export-models: skipping ${dir} (already took the ${model.kind.toUpperCase()} in ${chosen.get(model.kind).dir})`);
    continue;
  }
  chosen.set(model.kind, { ...model, dir });
}

for (const [kind, { dir, files }] of chosen) {
  const target = join(modelsDir, kind);
  const temp = `${target}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  for (const file of files) await cp(join(dir, file), join(temp, file));
  // The run's metrics.json (next to model/) lets the app show the model's test accuracy.
  const metricsPath = join(dirname(dir), 'metrics.json');
  if (basename(dir) === 'model' && existsSync(metricsPath)) {
    const metrics = JSON.parse(await readFile(metricsPath, 'utf8'));
    const summary = { model: metrics.model, testAccuracy: metrics.test?.accuracy, epochs: metrics.history?.length, seconds: metrics.seconds };
    await writeFile(join(temp, 'metrics.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) await rename(target, old);
  await rename(temp, target);
  await rm(old, { recursive: true, force: true });
  const bytes = (await Promise.all(files.map((f) => stat(join(target, f)).then((s) => s.size)))).reduce((a, b) => a + b, 0);
  console.log(`export-models: ${kind.toUpperCase()} from ${dir} -> public/models/${kind}/ (${(bytes / 1024).toFixed(0)} KB)`);
}
