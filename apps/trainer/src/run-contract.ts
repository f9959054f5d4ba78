// The resume contract: what a training run is (its resolved flags and its data), stored in its checkpoint,
// so that `--resume` continues exactly that run and refuses flags that would make it another one.
import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { DigitkitError, type ImageSet } from '@digitkit/core';
import type { CheckpointState } from '@digitkit/train';

/** The flags that define a run, resolved (recipe defaults filled in), as a checkpoint stores them. */
export interface RunFlags {
  model: string;
  epochs: number;
  batchSize: number;
  lr: number | null;
  optimizer: string;
  schedule: string;
  augment: boolean;
  patience: number | null;
  validation: number;
  limit: number | null;
  seed: number;
  data: string | null;
  /** The class names as a JSON array, when the run was given some (--classes or a classes.txt); they may change on resume. */
  classes?: string | null;
  /** Training threads asked for (absent in runs recorded before --workers). */
  workers?: number | 'auto';
  /** Whether the run writes its report (absent in runs recorded before: they did). */
  report?: boolean;
}

/** A run: its flags, an id that no other run shares, and what its training pool was. */
export interface RunRecord {
  id: string;
  flags: RunFlags;
  dataSource: string;
  /** sha256 (hex, first 16) of the training pool's pixels and labels, after --limit. */
  dataChecksum: string;
}

type FlagKey = keyof RunFlags;

// Each flag of the contract: how the user types it, and whether a resumed run may take a new value.
const CONTRACT: Record<FlagKey, { flag: string; mayChange: boolean }> = {
  model: { flag: '--model', mayChange: false },
  epochs: { flag: '--epochs', mayChange: true },
  batchSize: { flag: '--batch-size', mayChange: false },
  lr: { flag: '--lr', mayChange: false },
  optimizer: { flag: '--optimizer', mayChange: false },
  schedule: { flag: '--schedule', mayChange: false },
  augment: { flag: 'augmentation (--no-augment)', mayChange: false },
  patience: { flag: '--patience', mayChange: false },
  validation: { flag: '--validation', mayChange: false },
  limit: { flag: '--limit', mayChange: false },
  seed: { flag: '--seed', mayChange: false },
  data: { flag: '--data', mayChange: false },
  classes: { flag: '--classes', mayChange: true },
  // Another worker count splits the remaining batches another way: allowed, and train() says so.
  workers: { flag: '--workers', mayChange: true },
  // An output, not the training: a resume keeps the run's choice unless told otherwise.
  report: { flag: 'the report (--no-report)', mayChange: true },
};

export const CONTRACT_KEYS = Object.keys(CONTRACT) as FlagKey[];

/** A `--data` value as a run records it: URLs as given, directories as absolute paths. */
export function normalizeData(data: string | undefined): string | null {
  if (data === undefined) return null;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(data) ? data : resolve(data);
}

export function newRunId(): string {
  return randomUUID();
}

/** Identifies the images a run trains and validates on, so a resumed run can tell they are the same. */
export function poolChecksum(pool: ImageSet): string {
  const hash = createHash('sha256');
  hash.update(`${pool.count}x${pool.height}x${pool.width}/${pool.numClasses}\n`);
  hash.update(pool.images);
  hash.update(pool.labels);
  return hash.digest('hex').slice(0, 16);
}

/** The run recorded in a checkpoint, or a typed error when the checkpoint cannot say which run it is. */
export function savedRun(state: CheckpointState, dir: string): RunRecord {
  const run = state.run as Partial<RunRecord> | null;
  if (!run || typeof run.id !== 'string' || !run.flags || typeof run.dataChecksum !== 'string') {
    throw new DigitkitError(
      'BAD_CHECKPOINT',
      `The checkpoint in ${dir} does not record which run wrote it (an older digitkit wrote it), so it cannot be resumed safely. Start over without --resume.`,
    );
  }
  return run as RunRecord;
}

export interface ResumePlan {
  /** The flags the resumed run trains with: the saved ones, with the allowed changes applied. */
  flags: RunFlags;
  /** One line per flag that takes a new value, e.g. "--epochs 5 (the run had 3)". */
  changes: string[];
}

/**
 * Merges the flags typed on a resume (`given`, only those typed) into the saved run's flags. A flag that would
 * change the run is refused with every difference listed (exit 2); `--epochs` may grow.
 */
export function planResume(saved: RunRecord, given: Partial<RunFlags>, epochsDone: number, dir: string): ResumePlan {
  const conflicts: string[] = [];
  const changes: string[] = [];
  const flags: RunFlags = { ...saved.flags };
  for (const key of CONTRACT_KEYS) {
    if (!(key in given)) continue;
    const wanted = given[key] ?? null;
    const had = saved.flags[key] ?? null;
    if (wanted === had) continue;
    const line = `${CONTRACT[key].flag} ${show(wanted)} (the run has ${show(had)})`;
    if (!CONTRACT[key].mayChange) conflicts.push(line);
    // A shorter run would change the schedule of the epochs already trained: not the run that started.
    else if (key === 'epochs' && (wanted as number) < (had as number)) conflicts.push(`${line}: --epochs may only grow on a resume (${epochsDone} of ${show(had)} epochs are trained)`);
    else {
      changes.push(line);
      (flags as unknown as Record<string, unknown>)[key] = wanted;
    }
  }
  if (conflicts.length > 0) {
    throw new DigitkitError(
      'RESUME_CONFLICT',
      `--resume continues the run whose checkpoint is in ${dir} exactly as it started; these flags would make it another run:\n` +
        conflicts.map((line) => `  ${line}`).join('\n') +
        `\nDrop them to resume (only --epochs may grow), or start a new run without --resume (or with another --out).`,
    );
  }
  if (changes.some((line) => line.startsWith('--epochs')) && saved.flags.schedule !== 'constant') {
    changes.push(`the ${saved.flags.schedule} learning-rate schedule now spans ${flags.epochs} epochs`);
  }
  return { flags, changes };
}

function show(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return value === null ? '(not set)' : String(value);
}
