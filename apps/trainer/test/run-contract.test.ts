// planResume's rules for a flag typed on --resume (the CLI tests cover the messages end to end).
import { describe, expect, it } from 'vitest';
import { planResume, type RunRecord } from '../src/run-contract.js';

const saved: RunRecord = {
  id: 'run-1',
  dataSource: 'embedded',
  dataChecksum: '0123456789abcdef',
  flags: { model: 'mlp', epochs: 40, batchSize: 128, lr: null, optimizer: 'adam', schedule: 'cosine', augment: true, patience: null, validation: 5000, limit: null, seed: 42, data: null },
};

describe('planResume', () => {
  it('lets --epochs grow, and says the schedule now spans them', () => {
    const plan = planResume(saved, { epochs: 50 }, 9, '/out/checkpoint');
    expect(plan.flags.epochs).toBe(50);
    expect(plan.changes).toEqual(['--epochs 50 (the run has 40)', 'the cosine learning-rate schedule now spans 50 epochs']);
  });

  it('refuses a shorter run, also one still longer than the epochs trained (its schedule would change)', () => {
    for (const epochs of [10, 9, 4]) {
      expect(() => planResume(saved, { epochs }, 9, '/out/checkpoint')).toThrow(
        expect.objectContaining({ code: 'RESUME_CONFLICT', message: expect.stringContaining(`--epochs ${epochs} (the run has 40): --epochs may only grow on a resume (9 of 40 epochs are trained)`) }),
      );
    }
  });

  it("keeps the run's --no-report unless the resume says otherwise", () => {
    const quiet: RunRecord = { ...saved, flags: { ...saved.flags, report: false } };
    expect(planResume(quiet, {}, 9, '/out/checkpoint').flags.report).toBe(false);
    const plan = planResume(quiet, { report: true }, 9, '/out/checkpoint');
    expect(plan.flags.report).toBe(true);
    expect(plan.changes).toEqual(['the report (--no-report) on (the run has off)']);
  });

  it('takes the same value as no change', () => {
    expect(planResume(saved, { epochs: 40, seed: 42 }, 9, '/out/checkpoint').changes).toEqual([]);
  });
});
