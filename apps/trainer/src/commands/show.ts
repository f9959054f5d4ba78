import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DigitkitError, type Prediction } from '@digitkit/core';
import { writeFileAtomic } from '@digitkit/data';
import { loadModel, predict } from '@digitkit/model';
import { normalize } from '@digitkit/preprocess';
import { evaluate, testSetForModel } from '@digitkit/train';
import { digitGrid, encodePng, parseRunMetrics, predictionCard, predictionFile, REPORT_FILES } from '@digitkit/viz';
import { classNamesOfModel, resolveClassNames } from '../classes.js';
import { writeRunReport } from '../report.js';
import { ensureModelExists, ensureWritableDir, loadData, startBackend } from '../runtime.js';

interface ShowFlags {
  modelDir: string;
  metrics: string;
  count?: number;
  out: string;
  backend: string;
  data?: string;
  classes?: string[];
}

const WHAT = ['samples', 'predictions', 'report'] as const;

export async function showCommand(what: string, flags: ShowFlags): Promise<void> {
  if (!(WHAT as readonly string[]).includes(what)) {
    throw new DigitkitError('BAD_ARGUMENTS', `Unknown picture "${what}". Choose one of: ${WHAT.join(', ')}.`);
  }
  const out = await ensureWritableDir(flags.out);
  if (what === 'samples') {
    const { train } = await loadData(flags.data);
    const classes = await resolveClassNames({ flag: flags.classes, data: flags.data, numClasses: train.numClasses });
    const file = join(out, REPORT_FILES.samples);
    await writeFileAtomic(file, encodePng(digitGrid(train, { first: flags.count ?? 100, columns: 10, scale: 2 })));
    console.log(file);
    // The grid writes label numbers: say what they name when they are not digits.
    if (classes.source !== 'digits') console.log(`labels: ${classes.names.map((name, i) => `${i} ${name}`).join(', ')}`);
    return;
  }

  const modelPath = await ensureModelExists(flags.modelDir);
  // Read the metrics first: a bad file fails before the slow steps.
  const metrics = what === 'report' ? parseRunMetrics(await readMetrics(flags.metrics), resolve(flags.metrics)) : undefined;
  await startBackend(flags.backend);
  const model = await loadModel(modelPath);
  // What the model reads, made from the test digits (the number reader: the test numbers its training measured).
  const test = testSetForModel(model.kind, (await loadData(flags.data)).test);
  const { names: classNames } = await classNamesOfModel(model, flags);

  if (what === 'predictions') {
    const count = Math.min(flags.count ?? 10, test.count);
    const size = test.height * test.width;
    const images = test.images.subarray(0, count * size);
    const predictions = predict(model, normalize(images), count) as Prediction[];
    await mkdir(join(out, REPORT_FILES.predictions), { recursive: true });
    for (let i = 0; i < count; i++) {
      const file = join(out, predictionFile({ index: i, position: i }));
      const prediction = predictions[i] as Prediction;
      const trueLabel = test.labels[i] as number;
      await writeFileAtomic(file, predictionCard(images.subarray(i * size, (i + 1) * size), prediction, { trueLabel, classNames, width: test.width, height: test.height }));
      console.log(`${file}  test image ${i}: ${classNames[prediction.label]} (true: ${classNames[trueLabel]})`);
    }
    return;
  }

  const evaluation = evaluate(model, test);
  const { files } = await writeRunReport(out, { model, metrics: metrics!, test, evaluation, classNames });
  for (const file of files) console.log(file);
}

async function readMetrics(file: string): Promise<string> {
  try {
    return await readFile(resolve(file), 'utf8');
  } catch (error) {
    throw new DigitkitError(
      'METRICS_NOT_FOUND',
      `Cannot read the metrics file ${resolve(file)} (${(error as NodeJS.ErrnoException).code}). Train first, or pass --metrics <file>.`,
      { cause: error },
    );
  }
}
