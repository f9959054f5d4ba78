// Types of hostile-files.mjs (plain JS so the peak-memory script runs it with node alone).
export function writeIdxBomb(path: string, shape: number[], inflatedBytes: number): Promise<void>;
export function writeHugePng(path: string, width: number, height: number, channels?: 1 | 3 | 4, depth?: 8 | 16, inflatedBytes?: number): Promise<void>;
export function tinyMnist(trainCount?: number, testCount?: number, gzip?: boolean): Record<string, Uint8Array>;
export function writeDataDir(dir: string, files: Record<string, Uint8Array>): Promise<void>;
export function serveHostile(files: Record<string, Uint8Array>): Promise<{ base: string; requests: string[]; close: () => Promise<void> }>;
