// Node-only file output. node:* modules are imported inside the functions, so bundling this
// package for a browser never pulls them in (and calling these there fails with a clear error).
import { DigitkitError, type RunMetrics } from '@digitkit/core';
import { writeFileAtomic } from '@digitkit/data';
import { REPORT_FILES } from './artifacts.js';
import { parseRunMetrics } from './metrics.js';
import { renderReportParts, reportHtml, type ReportInput } from './report.js';

async function nodeModules() {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') {
    throw new DigitkitError('NOT_NODE', 'writeReport and readRunMetrics write and read files and need Node.js; in a browser use buildReport().');
  }
  // Specifiers in variables (and the ignore hints) keep browser bundlers from trying to resolve node:*.
  const fsId = 'node:fs/promises';
  const pathId = 'node:path';
  const [fs, path] = (await Promise.all([
    import(/* @vite-ignore */ /* webpackIgnore: true */ fsId),
    import(/* @vite-ignore */ /* webpackIgnore: true */ pathId),
  ])) as [typeof import('node:fs/promises'), typeof import('node:path')];
  return { fs, path };
}

/**
 * Renders a run's pictures and writes them to `dir` (created if needed): report.html plus
 * curves.svg, learning-rate.svg, confusion.svg, samples.png, misclassified.png and
 * predictions/prediction-<test index>.svg (the ones the input allows; names from REPORT_FILES).
 * Returns the absolute paths written, report.html last.
 */
export async function writeReport(dir: string, input: ReportInput): Promise<{ files: string[] }> {
  if (typeof dir !== 'string' || dir.length === 0) throw new DigitkitError('INVALID_ARGUMENT', 'writeReport needs the output directory as a non-empty string.');
  const { fs, path } = await nodeModules();
  const parts = await renderReportParts(input);
  const root = path.resolve(dir);
  try {
    await fs.mkdir(root, { recursive: true });
    if (parts.cards.length > 0) await fs.mkdir(path.join(root, REPORT_FILES.predictions), { recursive: true });
  } catch (error) {
    throw new DigitkitError('WRITE_FAILED', `Could not create the report directory ${root}: ${(error as Error).message}`, { cause: error });
  }
  const outputs: [string, string | Uint8Array][] = [];
  if (parts.samples) outputs.push([REPORT_FILES.samples, parts.samples.png]);
  for (const card of parts.cards) outputs.push([card.file, card.svg]);
  outputs.push([REPORT_FILES.curves, parts.curvesSvg]);
  outputs.push([REPORT_FILES.learningRate, parts.learningRateSvg]);
  if (parts.confusionSvg) outputs.push([REPORT_FILES.confusion, parts.confusionSvg]);
  if (parts.misclassified) outputs.push([REPORT_FILES.misclassified, parts.misclassified.png]);
  // The report goes last: when it exists, everything it sits beside is complete.
  outputs.push([REPORT_FILES.report, reportHtml(parts)]);
  const files: string[] = [];
  for (const [name, data] of outputs) {
    const file = path.join(root, name);
    await writeFileAtomic(file, data);
    files.push(file);
  }
  return { files };
}

/** Reads and checks a metrics.json file; errors name the file and the bad field. */
export async function readRunMetrics(file: string): Promise<RunMetrics> {
  const { fs } = await nodeModules();
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DigitkitError(
      'BAD_METRICS',
      code === 'ENOENT'
        ? `Metrics file ${file} does not exist. Train a model first (it writes metrics.json) or pass the right path.`
        : `Could not read metrics file ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseRunMetrics(text, file);
}
