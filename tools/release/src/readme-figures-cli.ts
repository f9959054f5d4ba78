// `pnpm readme-figures` re-renders the README figure blocks from the shipped models; `--check` only says which are stale.
import { checkReadmeFigures, writeReadmeFigures } from './readme-figures.js';

if (process.argv.includes('--check')) {
  const problems = checkReadmeFigures();
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) console.error('run: pnpm readme-figures');
  process.exitCode = problems.length > 0 ? 1 : 0;
} else {
  const changed = await writeReadmeFigures();
  console.log(changed.length === 0 ? 'README figures are up to date' : `updated ${changed.join(', ')}`);
}
