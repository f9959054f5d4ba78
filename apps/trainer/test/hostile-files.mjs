// Hostile files and servers for the CLI tests and the peak-memory script: small on disk, huge if trusted.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { constants, crc32, createDeflate, createGzip, gzipSync } from 'node:zlib';

const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** The header of a uint8 IDX file of `shape`. */
function idxHeader(shape) {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return header;
}

/** `first`, then `zeros` zero bytes, as a stream of 1 MiB chunks. */
function zerosAfter(first, zeros) {
  const chunk = Buffer.alloc(1 << 20);
  return Readable.from(
    (function* () {
      yield first;
      for (let left = zeros; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    })(),
  );
}

/** A gzipped uint8 IDX file whose header declares `shape` and which inflates to `inflatedBytes` (header + zeros). */
export async function writeIdxBomb(path, shape, inflatedBytes) {
  const header = idxHeader(shape);
  await pipeline(zerosAfter(header, inflatedBytes - header.length), createGzip({ level: constants.Z_BEST_COMPRESSION }), createWriteStream(path));
}

/**
 * A real, valid PNG of `width` x `height` black pixels (gray, RGB or RGBA, 8 or 16 bits), compressed as tight as zlib
 * goes; with `inflatedBytes`, a decompression bomb instead: that many zero bytes of pixel data behind the same header.
 */
export async function writeHugePng(path, width, height, channels = 3, depth = 8, inflatedBytes = height * ((width * channels * depth) / 8 + 1)) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data, crc32(Buffer.from(type, 'latin1'))), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = { 1: 0, 3: 2, 4: 6 }[channels];
  // Each row: filter byte 0, then the pixels; all zero, so the image data compresses about 1000:1.
  const deflated = [];
  // Collected by a sink at the end of the pipeline: listening for 'data' loses what comes after 'finish'.
  const collect = new Writable({ write: (chunk, _, done) => done(null, deflated.push(chunk)) });
  await pipeline(zerosAfter(Buffer.alloc(0), inflatedBytes), createDeflate({ level: constants.Z_BEST_COMPRESSION }), collect);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await writeFile(path, Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(deflated)), chunk('IEND', Buffer.alloc(0))]));
}

/** The four files of a small MNIST-format set (28x28 strokes, labels 0-9), by file name, gzipped (`.gz`) or not. */
export function tinyMnist(trainCount = 30, testCount = 12, gzip = true) {
  const set = (count) => {
    const images = Buffer.alloc(count * 784);
    // A vertical bar whose column depends on the label: something to draw, not noise.
    for (let i = 0; i < count; i++) for (let y = 4; y < 24; y++) images[i * 784 + y * 28 + 4 + 2 * (i % 10)] = 255;
    const labels = Buffer.from(Array.from({ length: count }, (_, i) => i % 10));
    return [Buffer.concat([idxHeader([count, 28, 28]), images]), Buffer.concat([idxHeader([count]), labels])];
  };
  const bodies = [...set(trainCount), ...set(testCount)];
  return Object.fromEntries(MNIST_FILES.map((name, i) => (gzip ? [`${name}.gz`, gzipSync(bodies[i])] : [name, bodies[i]])));
}

/** Writes a data set (file name -> bytes) into `dir`. */
export async function writeDataDir(dir, files) {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
}

/**
 * An HTTP server on 127.0.0.1 serving `files` (name -> bytes) under three prefixes: `/ok/` serves them,
 * `/cut/` sends half of each body then drops the connection, `/stall/` sends the headers and 10 bytes, then nothing.
 * Returns the base URL, the paths requested so far, and close().
 */
export async function serveHostile(files) {
  const requests = [];
  const open = new Set();
  const server = createServer((req, res) => {
    requests.push(req.url);
    const [, mode, name] = /^\/(ok|cut|stall)\/(.+)$/.exec(req.url ?? '') ?? [];
    const body = files[name];
    if (!body) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-length': String(body.length) });
    if (mode === 'ok') return res.end(body);
    if (mode === 'cut') return res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    open.add(res);
    res.write(body.subarray(0, 10));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: async () => {
      for (const res of open) res.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
