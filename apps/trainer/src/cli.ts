// The digitkit command line: thin wiring of the @digitkit packages. Logic worth reusing lives in packages/.
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, DigitkitError, fallbackOrder } from '@digitkit/core';
import { MODEL_KINDS, MODELS } from '@digitkit/model';
import { OPTIMIZER_NAMES, SCHEDULE_NAMES } from '@digitkit/train';
import { infoCommand } from './commands/info.js';
import { trainCommand } from './commands/train.js';
import { evaluateCommand } from './commands/evaluate.js';
import { predictCommand } from './commands/predict.js';
import { showCommand } from './commands/show.js';
import { EXIT } from './exit-codes.js';
import { setDownloadTimeout } from './runtime.js';

// Errors in what the user typed (exit 2), as opposed to problems with files, data or training (exit 1).
const USAGE_ERRORS = new Set(['BAD_BACKEND', 'BAD_OPTION', 'BAD_OPTIMIZER', 'BAD_SCHEDULE', 'BAD_MODEL_OPTION', 'UNKNOWN_MODEL', 'BAD_ARGUMENTS', 'BAD_INDEX', 'BAD_VALIDATION', 'RESUME_CONFLICT']);

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
  const data = () => new Option('--data <dir|url>', 'MNIST-format IDX files: a directory or base URL (default: the embedded MNIST)');

  program
    .command('train')
    .description('train a model on MNIST, write it with its metrics, checkpoints and a report')
    .addOption(new Option('--model <kind>', `model: ${models}`).default(MODEL_KINDS[0]))
    .option('--epochs <n>', 'epochs (default: the model recipe)', positiveInt)
    .option('--batch-size <n>', 'examples per batch (default: the model recipe)', positiveInt)
    .option('--lr <rate>', 'peak learning rate (default: the model recipe)', positiveNumber)
    .option('--optimizer <name>', `${OPTIMIZER_NAMES.join(' or ')} (default: the model recipe)`)
    .option('--schedule <name>', `learning-rate schedule: ${SCHEDULE_NAMES.join(', ')} (default: the model recipe)`)
    .option('--no-augment', 'train without random shifts')
    .option('--patience <n>', 'stop early after this many epochs without validation improvement (0: off)', nonNegativeInt)
    .option('--validation <n>', 'training images held out for validation', nonNegativeInt, 5000)
    .option('--limit <n>', 'train on the first n training images only (quick runs)', positiveInt)
    .option('--seed <n>', 'random seed: the same seed gives the same model', nonNegativeInt, 42)
    .option('--workers <n|auto>', `training threads: auto (up to ${availableParallelism()} cores, as many as pay off for the model and batch) or a number (1: in process)`, workerCount, 'auto')
    .addOption(backend())
    .addOption(data())
    .option('--out <dir>', 'output directory', 'out')
    .option('--resume', 'continue the run in <out> exactly as it started (only --epochs may change)')
    .option('--no-report', 'do not write the HTML report and pictures')
    .action(trainCommand);

  program
    .command('evaluate')
    .description('evaluate a saved model on the MNIST test set')
    .option('--model-dir <dir>', 'the saved model (directory or model.json)', 'out/model')
    .addOption(backend())
    .addOption(data())
    .option('--json', 'print the evaluation as JSON')
    .action(evaluateCommand);

  program
    .command('predict')
    .description('predict the digit in a PNG file or in a test image, with the ten probabilities')
    .argument('[image]', 'a PNG file of a digit (any size; dark on light or light on dark)')
    .option('--index <n>', 'a test-set image index instead of a file', nonNegativeInt)
    .option('--model-dir <dir>', 'the saved model (directory or model.json)', 'out/model')
    .addOption(backend())
    .addOption(data())
    .option('--json', 'print the prediction as JSON')
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
    .action(showCommand);

  program
    .command('info')
    .description('show the dataset, the available backends and a saved model')
    .option('--model-dir <dir>', 'a saved model to describe', 'out/model')
    .addOption(backend())
    .addOption(data())
    .action(infoCommand);

  return program;
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

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}".`);
  return n;
}
