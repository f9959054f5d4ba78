// The digitkit command line: thin wiring of the @digitkit packages. Logic worth reusing lives in packages/.
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, DigitkitError, fallbackOrder, type Recipe } from '@digitkit/core';
import { MODEL_KINDS, MODELS } from '@digitkit/model';
import { SHIPPED_MODELS, VERDICT_THRESHOLDS } from '@digitkit/recognizer';
import { OPTIMIZER_NAMES, SCHEDULE_NAMES } from '@digitkit/train';
import { infoCommand } from './commands/info.js';
import { trainCommand } from './commands/train.js';
import { evaluateCommand } from './commands/evaluate.js';
import { predictCommand } from './commands/predict.js';
import { showCommand } from './commands/show.js';
import { recipesCommand } from './commands/recipes.js';
import { parseClassesFlag } from './classes.js';
import { count, describeAugment, rate } from './format.js';
import { DEFAULT_VALIDATION_SHARE } from './split.js';
import { EXIT } from './exit-codes.js';
import { setDownloadTimeout } from './runtime.js';

// Errors in what the user typed (exit 2), as opposed to problems with files, data or training (exit 1).
const USAGE_ERRORS = new Set(['BAD_BACKEND', 'BAD_OPTION', 'BAD_OPTIMIZER', 'BAD_SCHEDULE', 'BAD_MODEL_OPTION', 'UNKNOWN_MODEL', 'BAD_ARGUMENTS', 'BAD_INDEX', 'BAD_VALIDATION', 'BAD_LIMIT', 'BAD_CLASSES', 'RESUME_CONFLICT']);

export { EXIT };

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}

function buildProgram(): Command {
  const program = new Command('digitkit')
    .description('Train, evaluate and use handwritten-digit recognizers (MNIST) with TensorFlow.js')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .option('--download-timeout <seconds>', 'abandon a --data URL download after this long without a byte', positiveNumber, 30)
    .hook('preAction', (command) => setDownloadTimeout(command.opts().downloadTimeout));

  // Choices and help come from the backend and model tables, so a new entry shows up here by itself.
  const backend = () =>
    new Option('--backend <name>', `TF.js backend: auto (tries ${fallbackOrder('auto').join(', then ')}), ${BACKEND_NAMES.join(', ')}`).default('auto');
  const models = MODEL_KINDS.map((kind) => `${kind} (${MODELS[kind].description})`).join(', ');
  const shipped = Object.values(SHIPPED_MODELS)
    .map((m) => `${m.name} (${m.description}; ${(m.testAccuracy * 100).toFixed(2)}% on MNIST's test set)`)
    .join(', ');
  const shippedModel = () =>
    new Option('--model <name>', `instead of a saved model, one shipped trained inside @digitkit/recognizer: ${shipped}`)
      .choices(Object.keys(SHIPPED_MODELS))
      .conflicts('modelDir');
  const data = () => new Option('--data <dir|url>', 'MNIST-format IDX files: a directory or base URL (default: the embedded MNIST)');
  const classes = () =>
    new Option('--classes <names>', `class names in label order, comma-separated (default: ${CLASSES_HINT}, else the model's, else the digits)`).argParser(
      parseClassesFlag,
    );

  const train = program.command('train').description('train a model on MNIST (or another IDX set), write it with its metrics, checkpoints and a report');
  for (const option of trainFlagOptions({ models, backend, data, classes })) train.addOption(option);
  train.action(trainCommand);

  program
    .command('recipes')
    .description("list every model's default training recipe (what `train --model <kind>` uses)")
    .option('--json', 'print the recipes as one JSON document')
    .action(recipesCommand);

  program
    .command('evaluate')
    .description('evaluate a saved model on the MNIST test set')
    .option('--model-dir <dir>', 'the saved model (directory or model.json)', 'out/model')
    .addOption(shippedModel())
    .addOption(backend())
    .addOption(data())
    .addOption(classes())
    .option('--json', 'print the evaluation as one JSON document (other lines go to stderr)')
    .action(evaluateCommand);

  program
    .command('predict')
    .description('predict the class of PNG or JPEG pictures, or of test images, with every probability')
    .argument('[images...]', 'PNG or JPEG files of a digit (any size; dark on light or light on dark)')
    .option('--index <n...>', 'test-set images by 0-based index (several allowed)', collect(nonNegativeInt))
    .option('--model-dir <dir>', 'the saved model (directory or model.json)', 'out/model')
    .addOption(shippedModel())
    .addOption(
      new Option(
        '--min-sureness <fraction>',
        `how sure one digit must be, 0-1 (default ${VERDICT_THRESHOLDS.cnn.minSureness} for the shipped CNN and models of your own, ${VERDICT_THRESHOLDS.mlp.minSureness} for the MLP): lower keeps more soft or unusual digits, higher refuses more letters and scribbles`,
      ).argParser(fraction),
    )
    .addOption(backend())
    .addOption(data())
    .addOption(classes())
    .option('--json', 'print the predictions as one JSON document (other lines go to stderr)')
    .action(predictCommand);

  program
    .command('show')
    .description('make pictures: samples (a labelled grid), predictions (cards for test images), report (everything)')
    .argument('<what>', 'samples | predictions | report')
    .option('--model-dir <dir>', 'the saved model, for predictions and report', 'out/model')
    .option('--metrics <file>', 'the metrics.json of the run, for the report', 'out/metrics.json')
    .option('--count <n>', `how many images (at most ${MAX_SHOW_COUNT.toLocaleString('en')})`, intUpTo(MAX_SHOW_COUNT))
    .option('--out <dir>', 'where to write the pictures', 'out/pictures')
    .addOption(backend())
    .addOption(data())
    .addOption(classes())
    .action(showCommand);

  program
    .command('info')
    .description('show the dataset, the available backends and a saved model')
    .option('--model-dir <dir>', 'a saved model to describe', 'out/model')
    .addOption(backend())
    .addOption(data())
    .addOption(classes())
    .option('--json', 'print the information as one JSON document (other lines go to stderr)')
    .action(infoCommand);

  return program;
}

/**
 * The options of `train`, in help order. Defaults shown come from the model table's recipes (never typed twice);
 * a new flag is one more entry here.
 */
function trainFlagOptions(parts: { models: string; backend: () => Option; data: () => Option; classes: () => Option }): Option[] {
  const byModel = (show: (recipe: Recipe) => string) => `default: ${MODEL_KINDS.map((kind) => `${kind} ${show(MODELS[kind].recipe)}`).join(', ')}`;
  const mnistTrain = 60_000;
  return [
    new Option('--model <kind>', `model: ${parts.models}`).default(MODEL_KINDS[0]),
    new Option('--epochs <n>', `epochs (${byModel((r) => String(r.epochs))})`).argParser(positiveInt),
    new Option('--batch-size <n>', `examples per batch (${byModel((r) => String(r.batchSize))})`).argParser(positiveInt),
    new Option('--lr <rate>', `peak learning rate (${byModel((r) => rate(r.learningRate))})`).argParser(positiveNumber),
    new Option('--optimizer <name>', `${OPTIMIZER_NAMES.join(' or ')} (${byModel((r) => r.optimizer)})`),
    new Option('--schedule <name>', `learning-rate schedule: ${SCHEDULE_NAMES.join(', ')} (${byModel((r) => r.schedule)})`),
    new Option('--no-augment', `train without the recipe's random distortions (${byModel((r) => describeAugment(r.augment))})`),
    new Option('--patience <n>', 'stop early after this many epochs without validation improvement (default: 0, off)').argParser(nonNegativeInt),
    new Option(
      '--validation <n>',
      `training images held out for validation (default: 1/12 of the images drawn: ${count(Math.round(mnistTrain * DEFAULT_VALIDATION_SHARE))} of MNIST's ` +
        `${count(mnistTrain)}; with --limit N, N/11)`,
    ).argParser(nonNegativeInt),
    new Option('--limit <n>', 'train on n training images only (quick runs); the validation split scales down with it').argParser(positiveInt),
    new Option('--seed <n>', `random seed: the same seed gives the same model (${byModel((r) => String(r.seed))})`).argParser(nonNegativeInt),
    parts.classes(),
    parts.backend(),
    parts.data(),
    new Option('--workers <n|auto>', `training threads: auto (up to ${availableParallelism()} cores, as many as pay off for the model and batch) or a number (1: in process)`)
      .argParser(workerCount)
      .default('auto'),
    new Option('--out <dir>', 'output directory').default('out'),
    new Option('--resume', 'continue the run in <out> exactly as it started (only --epochs may grow)'),
    new Option('--no-report', 'do not write the HTML report and pictures'),
    new Option('--json', 'print the run (recipe, history, test figures, files) as one JSON document; progress goes to stderr'),
  ];
}

/** Commander parser for a repeatable value (`--index 3 7` or `--index 3 --index 7`). */
function collect<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are not errors; commander already printed the message for usage errors.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof DigitkitError) {
    console.error(`digitkit: ${error.message}`);
    return USAGE_ERRORS.has(error.code) ? EXIT.usage : EXIT.failure;
  }
  console.error('digitkit: unexpected error:', error);
  return EXIT.failure;
}

function workerCount(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) {
    throw new InvalidArgumentError(`expected "auto" or a whole number from 1 to ${availableParallelism()} (this machine's cores; more are capped), got "${value}".`);
  }
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}".`);
  return n;
}

const CLASSES_HINT = 'the lines of classes.txt beside --data';

/** The most images `show` draws: a 10x100 grid (a 10,000-image grid peaked at 720 MB). */
const MAX_SHOW_COUNT = 1000;

function intUpTo(max: number): (value: string) => number {
  return (value) => {
    const n = positiveInt(value);
    if (n > max) throw new InvalidArgumentError(`expected at most ${max.toLocaleString('en')}, got "${value}".`);
    return n;
  };
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number of at least 0, got "${value}".`);
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`expected a fraction from 0 to 1, got "${value}".`);
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}".`);
  return n;
}
