// The small run the kill tests start in a child and resume in the test: one definition for both sides.
export const KILL_RUN = { images: 400, options: { epochs: 3, batchSize: 100, seed: 5 } } as const;
