import { join } from 'node:path';
import { DigitkitError, type RunMetrics } from '@digitkit/core';
import { trainValidationSplit, subset, writeFileAtomic } from '@digitkit/data';
import { createModel, isModelKind, MODEL_KINDS, type ModelKind, saveModel, summary } from '@digitkit/model';
import { checkSetFitsModel, defaultRecipe, evaluate, parseOptimizer, parseSchedule, train, type TrainOptions } from '@digitkit/train';
import { ensureWritableDir, loadData, percent, startBackend } from '../runtime.js';
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
  validation: number;
  limit?: number;
  seed: number;
  backend: string;
  data?: string;
  out: string;
  resume?: boolean;
  report: boolean;
}

export async function trainCommand(flags: TrainFlags): Promise<void> {
  // Everything that can be checked is checked before the first epoch.
  const kind = parseModelKind(flags.model);
  const options = trainOptions(kind, flags);
  const out = await ensureWritableDir(flags.out);
  const backend = await startBackend(flags.backend);
  const model = createModel(kind, { seed: flags.seed });
  const data = await loadData(flags.data);
  // The test set is only used after training: a wrong shape or an empty set must not cost a whole run first.
  checkSetFitsModel(model, data.test, 'test');

  const pool = flags.limit ? subset(data.train, range(Math.min(flags.limit, data.train.count))) : data.train;
  if (flags.validation >= pool.count) {
    throw new DigitkitError('BAD_VALIDATION', `--validation ${flags.validation} leaves no training images out of ${pool.count}. Use a smaller number.`);
  }
  const { train: trainSet, validation } =
    flags.validation > 0 ? trainValidationSplit(pool, { validationCount: flags.validation, seed: flags.seed }) : { train: pool, validation: undefined };

  console.error(`digitkit: ${kind} model, ${trainSet.count.toLocaleString('en')} training / ${validation?.count.toLocaleString('en') ?? 0} validation images`);
  console.error(summary(model));

  const controller = new AbortController();
  const onSignal = () => {
    console.error('\ndigitkit: stopping after this batch and saving a checkpoint (Ctrl-C again to quit at once)');
    controller.abort();
    process.once('SIGINT', () => process.exit(EXIT.interrupted));
  };
  process.once('SIGINT', onSignal);

  const progress = createProgress(options.epochs, Math.ceil(trainSet.count / (options.batchSize ?? 128)));
  let result: Awaited<ReturnType<typeof train>>;
  try {
    result = await train(model, validation ? { train: trainSet, validation } : { train: trainSet }, {
      ...options,
      checkpoint: { dir: join(out, 'checkpoint'), resume: Boolean(flags.resume) },
      signal: controller.signal,
      callbacks: { onBatchEnd: progress.batch, onEpochEnd: progress.epoch },
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
  }
  if (result.interrupted) {
    console.error(`digitkit: interrupted; checkpoint saved in ${join(out, 'checkpoint')}. Continue with: digitkit train --resume --out ${flags.out}`);
    process.exitCode = EXIT.interrupted;
    return;
  }

  const evaluation = evaluate(model, data.test);
  await saveModel(model, join(out, 'model'));
  const { predicted: _predicted, ...test } = evaluation;
  const metrics: RunMetrics = {
    model: kind,
    backend: backend.name,
    history: result.history,
    test,
    seconds: result.seconds,
    config: { ...options, seed: flags.seed, data: data.source, limit: flags.limit ?? null, validation: flags.validation },
  };
  await writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  if (flags.report) await writeRunReport(join(out, 'report'), { model, metrics, test: data.test, evaluation });

  const stopped = result.stoppedEarly ? ` (stopped early; best epoch ${result.bestEpoch})` : '';
  console.log(`test accuracy: ${percent(evaluation.accuracy)} on ${evaluation.count.toLocaleString('en')} images, trained in ${result.seconds.toFixed(1)} s on ${backend.name}${stopped}`);
  console.log(`model: ${join(out, 'model')}  metrics: ${join(out, 'metrics.json')}${flags.report ? `  report: ${join(out, 'report', 'report.html')}` : ''}`);
}

function trainOptions(kind: ModelKind, flags: TrainFlags): TrainOptions {
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
    seed: flags.seed,
  } as TrainOptions;
}

function parseModelKind(name: string): ModelKind {
  if (isModelKind(name)) return name;
  throw new DigitkitError('UNKNOWN_MODEL', `Unknown model "${name}". Choose one of: ${MODEL_KINDS.join(', ')}.`);
}

function range(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}
