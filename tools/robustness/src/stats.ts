// Exact binomial tails for the benches: how likely a count is by chance alone, so a gap of a few pictures is not read
// as a finding.

/** P(X <= k) for X ~ Binomial(n, p), each term from the last in logs so that thousands of trials do not underflow. */
export function binomialAtMost(k: number, n: number, p: number): number {
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const [logP, logQ] = [Math.log(p), Math.log1p(-p)];
  let logTerm = n * logQ;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1)) + logP - logQ;
  }
  return Math.min(1, sum);
}

/**
 * `passed` of `of` against a target share: the one-sided exact p of passing so few or fewer were the true share the
 * target (1 when the share meets it), and whether it falls short beyond chance (p under 0.05). A share a picture or two
 * under the target in 300 is within chance; so is one a picture or two over it.
 */
export function belowTarget(passed: number, of: number, target: number): { p: number; shortBeyondChance: boolean } {
  const p = of === 0 || passed / of >= target ? 1 : binomialAtMost(passed, of, target);
  return { p, shortBeyondChance: p < 0.05 };
}

/**
 * Holm's step-down correction: which of `ps` stay under `alpha` when all of them are tested at once. The smallest is
 * held to alpha / m, the next to alpha / (m - 1), and so on until one fails; that one and all larger fail. With 46
 * tests at 0.05 about two pass by chance alone; with this, the chance that any passes by chance stays under `alpha`.
 */
export function holmPasses(ps: readonly number[], alpha = 0.05): boolean[] {
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const passes = ps.map(() => false);
  for (const [rank, [p, i]] of order.entries()) {
    if (p >= alpha / (ps.length - rank)) break;
    passes[i] = true;
  }
  return passes;
}

/** A p value as the benches print it: three decimals, or "<0.001". */
export function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** A share against its target as the benches mark it: '!' under it, '!*' short beyond chance, and the p (blank when met). */
export function shortfall(passed: number, of: number, target: number): { mark: '  ' | '! ' | '!*'; p: string } {
  const { p, shortBeyondChance } = belowTarget(passed, of, target);
  if (p === 1) return { mark: '  ', p: '' };
  return { mark: shortBeyondChance ? '!*' : '! ', p: formatP(p) };
}
