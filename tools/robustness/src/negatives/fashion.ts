// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): Zalando's 28x28 pictures of clothes, shoes and bags, light on black like
// MNIST, in MNIST's own IDX files. A set of pictures that hold no digit, made by others: never tuned on.
import { existsSync } from 'node:fs';
import { loadMnist } from '@digitkit/data';
import type { VerdictSample } from './sets.js';

/** Where Debian's dataset-fashion-mnist package puts the four files. */
export const FASHION_MNIST_PATHS = ['/usr/share/datasets/fashion-mnist'];

export const FASHION_MNIST_HOWTO =
  'apt-get download dataset-fashion-mnist && dpkg -x dataset-fashion-mnist_*.deb fm && ' +
  'export DIGITKIT_FASHION_MNIST=$PWD/fm/usr/share/datasets/fashion-mnist';

/** Its ten classes, by label. */
export const FASHION_CLASSES = ['T-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'] as const;

/** The directory of the IDX files: DIGITKIT_FASHION_MNIST, else the installed package's, else null. */
export function findFashionMnist(env: Record<string, string | undefined> = process.env): string | null {
  const named = env.DIGITKIT_FASHION_MNIST;
  if (named) return named;
  return FASHION_MNIST_PATHS.find((p) => existsSync(p)) ?? null;
}

/** The first `count` pictures of its test set (its classes come mixed, about a tenth each), as no-digit samples. */
export async function fashionPictures(dir: string, count: number): Promise<VerdictSample[]> {
  const { test } = await loadMnist({ source: dir });
  return Array.from({ length: Math.min(count, test.count) }, (_, i) => ({
    image: { data: test.images.subarray(i * 784, (i + 1) * 784), width: 28, height: 28, channels: 1 as const },
    digits: null,
    what: `${FASHION_CLASSES[test.labels[i]!] ?? 'item'} #${i}`,
  }));
}
