// Stroke skeletons of MNIST digits: upsample, binarize, thin (Zhang-Suen), and turn the thin lines into a graph of
// short segments that can be re-drawn with any pen.
import { resizeBilinear } from './pixels.js';

/** A stroke skeleton: points in 28x28 MNIST pixel coordinates (pixel centres at i + 0.5) and the segments joining them. */
export interface Skeleton {
  /** x, y pairs. */
  readonly points: Float32Array;
  /** Index pairs into `points` (point i is points[2i], points[2i+1]). */
  readonly segments: Uint32Array;
}

/** Upsampling factor before thinning: strokes 2 px wide in 28x28 become 8 px, thick enough to thin cleanly. */
const UPSAMPLE = 4;
/** Ink at or above this (of 255) after bilinear upsampling is stroke. */
const BINARY_LEVEL = 110;

/** Bilinear upsampling of a `side` x `side` byte image by a whole factor (pixel centres aligned, background outside). */
export function upsample(pixels: Uint8Array, side: number, factor: number): { data: Float32Array; side: number } {
  const big = resizeBilinear(pixels, side, side, factor, 'zero');
  return { data: Float32Array.from(big.data), side: big.width };
}

/** For each 8-neighbourhood (bit k = neighbour P(k+2), clockwise from north) and pass: may the centre pixel go? */
const DELETABLE = [0, 1].map((pass) => {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) {
    const p = (k: number) => (code >> (k - 2)) & 1; // P2..P9
    let b = 0;
    for (let k = 2; k <= 9; k++) b += p(k);
    let a = 0;
    for (let k = 2; k <= 9; k++) if (p(k) === 0 && p(k === 9 ? 2 : k + 1) === 1) a++;
    const c = pass === 0 ? p(2) * p(4) * p(6) === 0 && p(4) * p(6) * p(8) === 0 : p(2) * p(4) * p(8) === 0 && p(2) * p(6) * p(8) === 0;
    table[code] = b >= 2 && b <= 6 && a === 1 && c ? 1 : 0;
  }
  return table;
});

/**
 * Zhang-Suen thinning (Comm. ACM 27(3), 1984) of a binary image in place: peels boundary pixels in two alternating
 * sub-iterations until only 1-pixel-wide, 8-connected centre lines remain. The rules are looked up per neighbourhood.
 */
export function zhangSuen(mask: Uint8Array, width: number, height: number): Uint8Array {
  const remove: number[] = [];
  const get = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : mask[y * width + x]!);
  let changed = true;
  while (changed) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      const table = DELETABLE[pass]!;
      remove.length = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (!mask[y * width + x]) continue;
          const code =
            get(x, y - 1) |
            (get(x + 1, y - 1) << 1) |
            (get(x + 1, y) << 2) |
            (get(x + 1, y + 1) << 3) |
            (get(x, y + 1) << 4) |
            (get(x - 1, y + 1) << 5) |
            (get(x - 1, y) << 6) |
            (get(x - 1, y - 1) << 7);
          if (table[code]) remove.push(y * width + x);
        }
      }
      for (const i of remove) mask[i] = 0;
      if (remove.length > 0) changed = true;
    }
  }
  return mask;
}

/**
 * The stroke skeleton of a 28x28 MNIST digit (0 background, 255 ink): upsampled 4x, binarized, thinned, and each pair
 * of 8-adjacent skeleton pixels joined by a segment (diagonals only where no straight path joins them, so corners stay
 * sharp). Point positions are smoothed once along the skeleton to take the thinning's staircase out.
 */
export function digitSkeleton(pixels: Uint8Array, side = 28): Skeleton {
  const big = upsample(pixels, side, UPSAMPLE);
  const n = big.side;
  const mask = new Uint8Array(n * n);
  for (let i = 0; i < mask.length; i++) mask[i] = big.data[i]! >= BINARY_LEVEL ? 1 : 0;
  zhangSuen(mask, n, n);
  const index = new Int32Array(n * n).fill(-1);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (!mask[y * n + x]) continue;
      index[y * n + x] = xs.length;
      xs.push((x + 0.5) / UPSAMPLE);
      ys.push((y + 0.5) / UPSAMPLE);
    }
  }
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < n && y < n && mask[y * n + x] === 1;
  const segments: number[] = [];
  const neighbours: number[][] = xs.map(() => []);
  const link = (a: number, b: number) => {
    segments.push(a, b);
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  };
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const a = index[y * n + x]!;
      if (a < 0) continue;
      if (on(x + 1, y)) link(a, index[y * n + x + 1]!);
      if (on(x, y + 1)) link(a, index[(y + 1) * n + x]!);
      // Diagonal only when the two pixels are not already joined through a shared 4-neighbour.
      if (on(x + 1, y + 1) && !on(x + 1, y) && !on(x, y + 1)) link(a, index[(y + 1) * n + x + 1]!);
      if (on(x - 1, y + 1) && !on(x - 1, y) && !on(x, y + 1)) link(a, index[(y + 1) * n + x - 1]!);
    }
  }
  const points = new Float32Array(xs.length * 2);
  for (let i = 0; i < xs.length; i++) {
    // Laplacian smoothing over graph neighbours (ends and junctions stay put).
    const near = neighbours[i]!;
    let sx = xs[i]!;
    let sy = ys[i]!;
    if (near.length === 2) {
      sx = (2 * xs[i]! + xs[near[0]!]! + xs[near[1]!]!) / 4;
      sy = (2 * ys[i]! + ys[near[0]!]! + ys[near[1]!]!) / 4;
    }
    points[2 * i] = sx;
    points[2 * i + 1] = sy;
  }
  return { points, segments: Uint32Array.from(segments) };
}

/** Bounds of a skeleton's points: [minX, minY, maxX, maxY]. */
export function skeletonBounds(skeleton: Skeleton): [number, number, number, number] {
  const { points } = skeleton;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    x0 = Math.min(x0, points[i]!);
    x1 = Math.max(x1, points[i]!);
    y0 = Math.min(y0, points[i + 1]!);
    y1 = Math.max(y1, points[i + 1]!);
  }
  return [x0, y0, x1, y1];
}

/**
 * A skeleton as strokes: its chains, paths between its ends and junctions (and each loop left over, once round), as
 * [x, y] points. More strokes than a writer would use (every junction breaks one): a hard test of stroke grouping.
 */
export function skeletonStrokes({ points, segments }: Skeleton): [number, number][][] {
  const n = points.length / 2;
  const next: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < segments.length; s += 2) {
    next[segments[s]!]!.push(segments[s + 1]!);
    next[segments[s + 1]!]!.push(segments[s]!);
  }
  const used = new Set<string>();
  const edge = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);
  const walk = (from: number, to: number): number[] => {
    const path = [from];
    let [prev, at] = [from, to];
    used.add(edge(prev, at));
    while (true) {
      path.push(at);
      if (next[at]!.length !== 2) return path;
      const ahead = next[at]!.find((k) => k !== prev && !used.has(edge(at, k)));
      if (ahead === undefined) return path;
      used.add(edge(at, ahead));
      [prev, at] = [at, ahead];
    }
  };
  const paths: number[][] = [];
  const starts = [...next.keys()].filter((i) => next[i]!.length !== 2);
  for (const i of [...starts, ...next.keys()]) for (const k of next[i]!) if (!used.has(edge(i, k))) paths.push(walk(i, k));
  for (let i = 0; i < n; i++) if (next[i]!.length === 0) paths.push([i]);
  return paths.map((path) => path.map((i) => [points[2 * i]!, points[2 * i + 1]!] as [number, number]));
}
