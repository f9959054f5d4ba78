/** The environment variable that names the step to pause at: `<step>` (its first time) or `<step>@<n>` (its n-th time). */
export const FAULT_PAUSE_ENV = 'DIGITKIT_FAULT_PAUSE';

const reached = new Map<string, number>();

/**
 * Fault-injection hook for tests (Node only; a no-op unless DIGITKIT_FAULT_PAUSE names `step`): says
 * "digitkit: paused at <step>" on stderr and waits, so a test can kill -9 the process at exactly that point.
 * Every rename of the model save, the checkpoint save and writeFileAtomic goes through one, with the step names
 * their READMEs list.
 */
export async function faultPause(step: string): Promise<void> {
  const wanted = typeof process === 'undefined' ? undefined : process.env?.[FAULT_PAUSE_ENV];
  if (!wanted) return;
  const [name, nth = '1'] = wanted.split('@') as [string, string?];
  if (name !== step) return;
  const count = (reached.get(step) ?? 0) + 1;
  reached.set(step, count);
  if (count !== Number(nth)) return;
  process.stderr.write(`digitkit: paused at ${wanted}\n`);
  // Long enough for any test to kill it; an unkilled process goes on, so a forgotten variable cannot hang a user's run.
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}
