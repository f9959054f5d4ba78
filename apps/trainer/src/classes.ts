// Class names for sets that are not digits: --classes, a classes.txt beside the IDX data, or the names a trained model keeps.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { DigitkitError, type DigitModel } from '@digitkit/core';
import { classNamesForModel } from '@digitkit/train';
import { count } from './format.js';

/** The file beside the four IDX files that names the classes, one name per line, in label order. */
export const CLASSES_FILE = 'classes.txt';
/** Where a trained model keeps its class names (model.json's userDefinedMetadata). */
export const METADATA_KEY = 'classNames';

/** The source of names a model's kind fixes (`classNamesForModel` in @digitkit/train): like the digits', no flag's. */
export const KIND_SOURCE = 'the model kind';

const MAX_NAME_LENGTH = 64;
// A names file of a 256-class set fits in far less; a larger one is not a names file.
const MAX_CLASSES_FILE_BYTES = 64 * 1024;

export interface ClassNames {
  readonly names: readonly string[];
  /** Where they came from: "--classes", a classes.txt path, "the model", "the model kind", or "digits". */
  readonly source: string;
}

/** The digits' names, '0'..'9' (or '0'..'n-1'): the default when nothing names the classes. */
export function digitNames(numClasses: number): string[] {
  return Array.from({ length: numClasses }, (_, i) => String(i));
}

/** Parses `--classes a,b,c` (commander's parser): names trimmed, none empty, none repeated. */
export function parseClassesFlag(value: string): string[] {
  try {
    return checkNames(value.split(','), '--classes');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * The class names of a set with `numClasses` classes: `--classes` first, then a classes.txt in the `--data`
 * directory, then the names the model was trained with, else the digits. A list of the wrong length is refused.
 */
export async function resolveClassNames(options: {
  flag?: readonly string[] | undefined;
  data?: string | undefined;
  modelNames?: readonly string[] | undefined;
  /** The names the model's kind gives its classes (the number reader's), used when nothing else names them. */
  kindNames?: readonly string[] | undefined;
  numClasses: number;
}): Promise<ClassNames> {
  const { numClasses } = options;
  const fromFile = options.flag ? undefined : await readClassesFile(options.data);
  const found: ClassNames | undefined = options.flag
    ? { names: checkNames(options.flag, '--classes'), source: '--classes' }
    : (fromFile ?? (options.modelNames ? { names: options.modelNames, source: 'the model' } : undefined));
  if (!found) return options.kindNames ? { names: options.kindNames, source: KIND_SOURCE } : { names: digitNames(numClasses), source: 'digits' };
  if (found.names.length !== numClasses) {
    // A wrong --classes is a usage error (exit 2); a wrong file or model is a problem with the data (exit 1).
    throw new DigitkitError(
      found.source === '--classes' ? 'BAD_CLASSES' : 'BAD_CLASSES_FILE',
      `${found.source} names ${found.names.length} classes (${found.names.join(', ')}), but the labels run 0-${numClasses - 1} ` +
        `(${numClasses} classes). Give exactly one name per label, in label order.`,
    );
  }
  return found;
}

/**
 * A loaded model's class names, the one way every command resolves them: `--classes`, a classes.txt, the names the model
 * keeps, then its kind's (the number reader's numbers), else the digits; checked against the model's own class count.
 */
export function classNamesOfModel(model: DigitModel, flags: { classes?: readonly string[] | undefined; data?: string | undefined }): Promise<ClassNames> {
  return resolveClassNames({
    flag: flags.classes,
    data: flags.data,
    modelNames: modelClassNames(model.net.getUserDefinedMetadata()),
    kindNames: classNamesForModel(model.kind),
    numClasses: model.numClasses,
  });
}

/** The class names a model keeps (`model.net.getUserDefinedMetadata()`, saved in model.json), or undefined when it keeps none or they are not a list of names. */
export function modelClassNames(metadata: unknown): string[] | undefined {
  const names = (metadata as Record<string, unknown> | undefined)?.[METADATA_KEY];
  if (!Array.isArray(names) || names.length === 0 || names.length > 1000) return undefined;
  try {
    return checkNames(names, 'the model');
  } catch {
    return undefined;
  }
}

async function readClassesFile(data: string | undefined): Promise<ClassNames | undefined> {
  if (data === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(data)) return undefined;
  const file = join(resolve(data), CLASSES_FILE);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  if (info.size > MAX_CLASSES_FILE_BYTES) {
    throw new DigitkitError('BAD_CLASSES_FILE', `${file} is ${count(info.size)} bytes; a class-names file (one name per line) is far smaller. Fix or remove it.`);
  }
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  return { names: checkNames(lines, file), source: file };
}

function checkNames(raw: readonly unknown[], source: string): string[] {
  const names = raw.map((name) => (typeof name === 'string' ? name.trim() : ''));
  const empty = names.findIndex((name) => name.length === 0);
  const odd = names.find((name) => name.length > MAX_NAME_LENGTH || /\p{Cc}/u.test(name));
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  const problem =
    empty >= 0
      ? `name ${empty + 1} is empty`
      : odd !== undefined
        ? `a name is longer than ${MAX_NAME_LENGTH} characters or holds control characters`
        : repeated !== undefined
          ? `"${repeated}" appears twice`
          : undefined;
  if (problem) {
    throw new DigitkitError(source === '--classes' ? 'BAD_CLASSES' : 'BAD_CLASSES_FILE', `${source}: ${problem}. Class names are one per label, in label order, e.g. --classes cat,dog,bird.`);
  }
  return names;
}
