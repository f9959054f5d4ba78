import { availableParallelism } from 'node:os';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DigitkitError, type RunMetrics } from '@digitkit/core';
import { removeDeadTempFilesUnder, trainValidationSplit, subset, writeFileAtomic } from '@digitkit/data';
import { createModel, isModelKind, MODEL_KINDS, MODELS, type ModelKind, parameterCount, saveModel } from '@digitkit/model';
import {
  checkSetFitsModel,
  classNamesForModel,
  clearCheckpoint,
  defaultRecipe,
  evaluate,
  parseOptimizer,
  parseSchedule,
  readCheckpoint,
  setForModel,
  testSetForModel,
  train,
  type TrainOptions,
} from '@digitkit/train';
import { ensureWritableDir, loadData, lockOutputDir, printJson, startBackend } from '../runtime.js';
import { KIND_SOURCE, METADATA_KEY, resolveClassNames } from '../classes.js';
import { count, describeAugment, keyValues, percent, rate } from '../format.js';
import { planSplit } from '../split.js';
import { CONTRACT_KEYS, newRunId, normalizeData, planResume, poolChecksum, type RunFlags, type RunRecord, savedRun } from '../run-contract.js';
import { createProgress } from '../progress.js';
import { writeRunReport } from '../report.js';
import { EXIT } from '../exit-codes.js';

export interface TrainFlags {
  model: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: string;
  schedule?: string;
  augment: boolean;
  patience?: number;
  validation?: number;
  limit?: number;
  seed?: number;
  classes?: string[];
  workers: number | 'auto';
  backend: string;
  data?: string;
  out: string;
  resume?: boolean;
  report: boolean;
  json?: boolean;
}

export async function trainCommand(typed: TrainFlags, command?: Command): Promise<void> {
  // Everything that can be checked is checked before the first epoch.
  parseModelKind(typed.model);
  const out = await ensureWritableDir(typed.out);
  const release = await lockOutputDir(out);
  try {
    await trainLocked(typed, out, command);
  } finally {
    release();
  }
}

async function trainLocked(typed: TrainFlags, out: string, command: Command | undefined): Promise<void> {
  const left = await removeDeadTempFilesUnder(out);
  if (left.length > 0) console.error(`digitkit: removed ${left.length} temporary file${left.length === 1 ? '' : 's'} a killed run left in ${out}`);
  const checkpointDir = join(out, 'checkpoint');
  const resumed = typed.resume ? await resumeRun(typed, out, checkpointDir, command) : null;
  if (resumed === 'finished') return;
  // A new run: an earlier run's checkpoint must never answer for it, even if this one dies before its first.
  if (!resumed && (await clearCheckpoint(checkpointDir))) {
    console.error(`digitkit: a new run in ${out}: the checkpoint of the run there is removed (to continue that run instead: ${resumeCommand(typed.out)})`);
  }
  const flags: TrainFlags = resumed ? { ...typed, ...asTrainFlags(resumed.flags) } : typed;
  const kind = parseModelKind(flags.model);
  const options = trainOptions(kind, flags);
  const backend = await startBackend(flags.backend);
  const model = createModel(kind, { seed: options.seed });
  // Before the data loads: a wrong list of names is a typing mistake, told at once.
  const classes = await resolveClassNames({ flag: flags.classes, data: flags.data, kindNames: classNamesForModel(kind), numClasses: model.numClasses });
  const data = await loadData(flags.data);
  // What the model reads, made from the test digits (the number reader: numbers), the same for every run and seed.
  const testSet = testSetForModel(kind, data.test);
  // The test set is only used after training: a wrong shape or an empty set must not cost a whole run first.
  checkSetFitsModel(model, testSet, 'test');

  const split = planSplit(data.train.count, flags.limit, flags.validation);
  const pool = split.pool < data.train.count ? subset(data.train, range(split.pool)) : data.train;
  const run: RunRecord = {
    id: resumed?.run.id ?? newRunId(),
    flags: runFlags(kind, { ...flags, validation: split.validation }, options, classes.source === 'digits' || classes.source === KIND_SOURCE ? null : JSON.stringify(classes.names)),
    dataSource: data.source,
    dataChecksum: poolChecksum(pool),
  };
  if (resumed && run.dataChecksum !== resumed.run.dataChecksum) {
    throw new DigitkitError(
      'RESUME_DATA_CHANGED',
      `The training images from ${data.source} are not the ones the run in ${out} started on (checksum ${run.dataChecksum}, the run has ${resumed.run.dataChecksum}, from ${resumed.run.dataSource}). ` +
        'Resume with the same data, or start a new run without --resume.',
    );
  }
  const digits =
    split.validation > 0 ? trainValidationSplit(pool, { validationCount: split.validation, seed: options.seed }) : { train: pool, validation: undefined };
  const trainSet = setForModel(kind, digits.train, options.seed);
  const validation = digits.validation && setForModel(kind, digits.validation, options.seed + 1);

  // What the run is, on stderr with the progress: stdout holds only the result (or the --json document).
  console.error(`digitkit: ${count(trainSet.count)} training / ${count(validation?.count ?? 0)} validation / ${count(testSet.count)} test images (${resumed ? 'the split the run started with' : split.why})`);
  console.error(`digitkit: the recipe\n${recipeBlock(kind, model, options, { backend: backend.name, data: data.source, classes: classes.names, counts: [trainSet.count, validation?.count ?? 0, testSet.count], workers: flags.workers })}`);

  const controller = new AbortController();
  // Ctrl-C, or a service manager's or container's stop (SIGTERM): both save a checkpoint; a second one quits at once.
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const onSignal = () => {
    console.error('\ndigitkit: stopping after this batch and saving a checkpoint (Ctrl-C again to quit at once)');
    controller.abort();
    for (const signal of signals) {
      process.off(signal, onSignal);
      process.once(signal, () => process.exit(EXIT.interrupted));
    }
  };
  for (const signal of signals) process.once(signal, onSignal);

  const batchSize = options.batchSize ?? 128;
  const progress = createProgress({
    epochs: options.epochs,
    count: trainSet.count,
    batchSize,
    ...(resumed && { resumeAt: resumed.position }),
  });
  let result: Awaited<ReturnType<typeof train>>;
  try {
    result = await train(model, validation ? { train: trainSet, validation } : { train: trainSet }, {
      ...options,
      // A live bar wants frequent figures; a log wants one line per epoch, so fewer sync points.
      ...(process.stderr.isTTY && { reportEvery: 10 }),
      checkpoint: { dir: checkpointDir, resume: Boolean(resumed), run: run as unknown as Record<string, unknown> },
      signal: controller.signal,
      workers: flags.workers,
      callbacks: { onBatchEnd: progress.batch, onEpochEnd: progress.epoch, onNote: (line) => console.error(`digitkit: ${line}`) },
    });
  } finally {
    progress.stop();
    for (const signal of signals) process.off(signal, onSignal);
  }
  if (result.interrupted) {
    console.error(`digitkit: interrupted; checkpoint saved in ${checkpointDir}. Continue with: ${resumeCommand(typed.out)}`);
    process.exitCode = EXIT.interrupted;
    return;
  }

  const evaluation = evaluate(model, testSet);
  // The names travel with the model (model.json's userDefinedMetadata), so evaluate and predict show them later.
  model.net.setUserDefinedMetadata({ ...(model.net.getUserDefinedMetadata() ?? {}), [METADATA_KEY]: classes.names });
  await saveModel(model, join(out, 'model'));
  const { predicted: _predicted, ...test } = evaluation;
  const metrics: RunMetrics = {
    model: kind,
    backend: backend.name,
    history: result.history,
    test,
    seconds: result.seconds,
    config: {
      ...options,
      seed: options.seed,
      data: data.source,
      limit: flags.limit ?? null,
      validation: split.validation,
      train: trainSet.count,
      classNames: classes.names,
      run: run.id,
      dataChecksum: run.dataChecksum,
    },
  };
  if (flags.report) await writeRunReport(join(out, 'report'), { model, metrics, test: testSet, evaluation, classNames: classes.names });
  // metrics.json last: it marks the run as saved (resume reads it), so a kill anywhere before redoes model and report.
  await writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);

  const files = { model: join(out, 'model'), metrics: join(out, 'metrics.json'), ...(flags.report && { report: join(out, 'report', 'report.html') }) };
  if (typed.json) {
    printJson({ ...metrics, stoppedEarly: result.stoppedEarly, bestEpoch: result.bestEpoch, files });
    return;
  }
  const stopped = result.stoppedEarly ? ` (stopped early; best epoch ${result.bestEpoch})` : '';
  console.log(`test accuracy: ${percent(evaluation.accuracy)} on ${count(evaluation.count)} images, trained in ${result.seconds.toFixed(1)} s on ${backend.name}${stopped}`);
  console.log(`model: ${files.model}  metrics: ${files.metrics}${files.report ? `  report: ${files.report}` : ''}`);
}

/** The resolved recipe, printed once at start: what this run trains, whatever mix of table defaults and flags made it. */
function recipeBlock(
  kind: ModelKind,
  model: Parameters<typeof parameterCount>[0],
  options: TrainOptions,
  context: { backend: string; data: string; classes: readonly string[]; counts: [number, number, number]; workers: number | 'auto' },
): string {
  const [trainCount, validationCount, testCount] = context.counts;
  const schedule = typeof options.schedule === 'string' ? options.schedule : 'constant';
  const shownClasses = context.classes.length > 12 ? `${context.classes.slice(0, 12).join(', ')}, … (${context.classes.length})` : context.classes.join(', ');
  return keyValues([
    ['model', `${kind}: ${MODELS[kind].description}`],
    ['params', count(parameterCount(model))],
    ['optimizer', `${options.optimizer ?? 'adam'}${options.weightDecay ? `, weight decay ${options.weightDecay}` : ''}`],
    ['lr', rate(options.learningRate ?? 1e-3)],
    ['schedule', schedule],
    ['batch', String(options.batchSize ?? 128)],
    ['epochs', String(options.epochs)],
    ['augment', describeAugment(options.augment ?? false)],
    ['early stop', options.earlyStopping ? `after ${options.earlyStopping.patience} epochs without better val accuracy` : 'off'],
    ['seed', String(options.seed)],
    ['data', `${count(trainCount)} train / ${count(validationCount)} validation / ${count(testCount)} test from ${context.data}`],
    ['classes', shownClasses],
    ['backend', context.backend],
    // What was asked: train() says in a note when it trains in process instead, and why.
    ['workers', context.workers === 'auto' ? `auto (up to ${availableParallelism()} cores, as many as pay off)` : String(context.workers)],
  ]);
}

/** The command that continues an interrupted run, as the user can type it (`digitkit` is the package's bin). */
export function resumeCommand(out: string): string {
  return `digitkit train --resume --out ${/^[\w./-]+$/.test(out) ? out : JSON.stringify(out)}`;
}

/**
 * Reads the run in the checkpoint and plans its continuation, or says it is finished ('finished').
 * Throws when there is nothing to resume, or when typed flags would make it another run.
 */
async function resumeRun(
  typed: TrainFlags,
  out: string,
  checkpointDir: string,
  command: Command | undefined,
): Promise<{ run: RunRecord; flags: RunFlags; position: { epoch: number; batch: number } } | 'finished'> {
  const checkpoint = await readCheckpoint(checkpointDir);
  if (!checkpoint) {
    throw new DigitkitError(
      'NO_CHECKPOINT',
      `There is no checkpoint to resume in ${checkpointDir}: the run there never started, or stopped before its first checkpoint. Start it again without --resume.`,
    );
  }
  const run = savedRun(checkpoint.state, checkpointDir);
  const { position, history, earlyStopping } = checkpoint.state;
  const plan = planResume(run, typedFlags(typed, command), history.length, checkpointDir);
  for (const change of plan.changes) console.error(`digitkit: resuming with a change: ${change}`);

  const patience = checkpoint.state.config.earlyStopping?.patience;
  const stoppedEarly = patience !== undefined && history.length > 0 && earlyStopping.wait >= patience;
  const finished = stoppedEarly || (position.batch === 0 && position.epoch >= plan.flags.epochs);
  if (finished && (await finishedModelOf(out)) === run.id) {
    const how = stoppedEarly ? `stopped early after ${history.length} epochs` : `all ${history.length} epochs trained`;
    console.log(
      `digitkit: the run in ${out} is finished (${how}); its model is ${join(out, 'model')}. ` +
        `To train it longer, resume with --epochs N (more than ${history.length}); to start over, drop --resume.`,
    );
    return 'finished';
  }
  if (finished) {
    console.error(`digitkit: run ${run.id} finished training but its model was not saved; saving it now`);
    return { run, flags: plan.flags, position };
  }
  const where = position.batch > 0 ? `epoch ${position.epoch + 1} of ${plan.flags.epochs}, batch ${position.batch + 1}` : `epoch ${position.epoch + 1} of ${plan.flags.epochs}`;
  console.error(`digitkit: resuming run ${run.id} at ${where} (the checkpoint in ${checkpointDir})`);
  return { run, flags: plan.flags, position };
}

/** The run id whose model `out/model` holds (from out/metrics.json, written after the model), or null. */
async function finishedModelOf(out: string): Promise<string | null> {
  try {
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as { config?: { run?: unknown } };
    await access(join(out, 'model', 'model.json'));
    return typeof metrics.config?.run === 'string' ? metrics.config.run : null;
  } catch {
    return null;
  }
}

/** The contract flags the user typed (not defaults), resolved as the run records them. */
function typedFlags(typed: TrainFlags, command: Command | undefined): Partial<RunFlags> {
  const given: Partial<RunFlags> = {};
  for (const key of CONTRACT_KEYS) {
    if (command?.getOptionValueSource(key) !== 'cli') continue;
    const value = typed[key as keyof TrainFlags];
    (given as Record<string, unknown>)[key] =
      key === 'data' ? normalizeData(value as string | undefined) : key === 'classes' ? JSON.stringify(value) : (value ?? null);
  }
  return given;
}

/** The flags of a run, with the recipe's values filled in, so a resumed run need not know the recipe. */
function runFlags(kind: ModelKind, flags: TrainFlags & { validation: number }, options: TrainOptions & { seed: number }, classes: string | null): RunFlags {
  return {
    model: kind,
    epochs: options.epochs,
    batchSize: options.batchSize ?? 128,
    lr: options.learningRate ?? null,
    optimizer: options.optimizer ?? 'adam',
    schedule: typeof options.schedule === 'string' ? options.schedule : 'constant',
    augment: flags.augment,
    patience: flags.patience ?? null,
    validation: flags.validation,
    limit: flags.limit ?? null,
    seed: options.seed,
    data: normalizeData(flags.data),
    classes,
    workers: flags.workers,
    report: flags.report,
  };
}

function asTrainFlags(run: RunFlags): Partial<TrainFlags> {
  return {
    model: run.model,
    epochs: run.epochs,
    batchSize: run.batchSize,
    ...(run.lr !== null && { lr: run.lr }),
    optimizer: run.optimizer,
    schedule: run.schedule,
    augment: run.augment,
    patience: run.patience ?? undefined,
    validation: run.validation,
    limit: run.limit ?? undefined,
    seed: run.seed,
    data: run.data ?? undefined,
    ...(run.classes && { classes: savedClasses(run.classes) }),
    ...(run.workers !== undefined && { workers: run.workers }),
    ...(run.report !== undefined && { report: run.report }),
  };
}

/** The class names a checkpoint recorded; a list that does not parse is handed on as one bad name, which resolveClassNames refuses by name. */
function savedClasses(json: string): string[] {
  try {
    const names: unknown = JSON.parse(json);
    return Array.isArray(names) ? names.map(String) : [''];
  } catch {
    return [''];
  }
}

function trainOptions(kind: ModelKind, flags: TrainFlags): TrainOptions & { seed: number } {
  const recipe = defaultRecipe(kind);
  return {
    ...recipe,
    ...(flags.epochs !== undefined && { epochs: flags.epochs }),
    ...(flags.batchSize !== undefined && { batchSize: flags.batchSize }),
    ...(flags.lr !== undefined && { learningRate: flags.lr }),
    ...(flags.optimizer !== undefined && { optimizer: parseOptimizer(flags.optimizer) }),
    ...(flags.schedule !== undefined && { schedule: parseSchedule(flags.schedule) }),
    ...(!flags.augment && { augment: false }),
    ...(flags.patience !== undefined && {
      earlyStopping: flags.patience > 0 ? { monitor: 'valAccuracy', patience: flags.patience, minDelta: 0, restoreBestWeights: true } : undefined,
    }),
    seed: flags.seed ?? recipe.seed,
  } as TrainOptions & { seed: number };
}

function parseModelKind(name: string): ModelKind {
  if (isModelKind(name)) return name;
  throw new DigitkitError('UNKNOWN_MODEL', `Unknown model "${name}". Choose one of: ${MODEL_KINDS.join(', ')}.`);
}

function range(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}
