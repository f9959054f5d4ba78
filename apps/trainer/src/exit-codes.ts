// Exit codes in a module of their own: the CLI and its commands both use them without importing each other.

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;
