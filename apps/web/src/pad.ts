/** A point in pad coordinates: 0..1 across the pad, so strokes survive a resize. */
interface Point {
  x: number;
  y: number;
}

export interface PadCallbacks {
  /** A stroke began (the pad was blank or showed an image before, now it holds ink). */
  onStrokeStart(): void;
  /** Ink was added during a stroke (called at pointer rate; throttle in the caller). */
  onInk(): void;
  /** A stroke ended (pointer up or cancelled). */
  onStrokeEnd(): void;
}

/** Stroke widths are given in pixels of a 280-px pad (MNIST's 28 px, ten times larger). */
export const REFERENCE_SIZE = 280;
/**
 * Side of the canvas recognition reads: 4x MNIST's 28 px is detail enough for the 20x20 digit box,
 * and preprocessing time grows with the pixel count (stroke end to answer must stay within a frame).
 */
export const INK_SIZE = 112;
const INK = '#111827';
const PAPER = '#ffffff';

/**
 * A drawing pad for mouse, touch and pen (pointer events with pointer capture). It renders every
 * stroke twice: on the visible, device-pixel-sized canvas and on a fixed 112x112 "ink" canvas
 * that recognition reads, so reading pixels costs the same on any screen.
 */
export class DrawingPad {
  readonly ink: HTMLCanvasElement;
  private readonly view: CanvasRenderingContext2D;
  private readonly inkCtx: CanvasRenderingContext2D;
  private strokes: { width: number; points: Point[] }[] = [];
  private active: { pointerId: number; width: number; points: Point[] } | undefined;
  private image: CanvasImageSource | undefined;
  strokeWidth = 20;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly callbacks: PadCallbacks,
  ) {
    this.view = context(canvas, false);
    this.ink = document.createElement('canvas');
    this.ink.width = this.ink.height = INK_SIZE;
    this.inkCtx = context(this.ink, true);
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.up(e));
    canvas.addEventListener('lostpointercapture', (e) => this.up(e));
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get isBlank(): boolean {
    return this.strokes.length === 0 && this.active === undefined && this.image === undefined;
  }

  get hasInk(): boolean {
    return this.strokes.length > 0 || this.active !== undefined;
  }

  /** The pad's pixels as recognition reads them: 112x112 RGBA, dark ink on white. */
  inkPixels(): ImageData {
    return this.inkCtx.getImageData(0, 0, INK_SIZE, INK_SIZE);
  }

  /** The strokes drawn so far (the one under way too), in the ink canvas's pixels: what tells digits drawn touching apart. */
  inkStrokes(): [number, number][][] {
    const strokes = this.active ? [...this.strokes, this.active] : this.strokes;
    return strokes.map((stroke) => stroke.points.map((p) => [p.x * INK_SIZE, p.y * INK_SIZE] as [number, number]));
  }

  clear(): void {
    this.strokes = [];
    this.active = undefined;
    this.image = undefined;
    this.redraw();
  }

  /** Shows an image (a dropped file, a gallery digit) instead of ink; the next stroke replaces it. */
  showImage(image: CanvasImageSource): void {
    this.strokes = [];
    this.active = undefined;
    this.image = image;
    this.redraw();
  }

  private down(e: PointerEvent): void {
    if (this.active || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // Synthetic pointers (tests, some assistive tech) cannot be captured; drawing still works.
    }
    if (this.image) this.clear();
    this.active = { pointerId: e.pointerId, width: this.strokeWidth, points: [this.toPoint(e)] };
    this.dot(this.view, this.active, this.canvas.width);
    this.dot(this.inkCtx, this.active, INK_SIZE);
    this.callbacks.onStrokeStart();
  }

  private move(e: PointerEvent): void {
    const stroke = this.active;
    if (!stroke || e.pointerId !== stroke.pointerId) return;
    // Coalesced events keep fast strokes smooth when the browser delivers one event per frame.
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const event of events.length > 0 ? events : [e]) {
      const p = this.toPoint(event);
      const last = stroke.points[stroke.points.length - 1]!;
      if (Math.hypot(p.x - last.x, p.y - last.y) < 0.002) continue;
      stroke.points.push(p);
      this.segment(this.view, stroke, stroke.points.length - 1, this.canvas.width);
      this.segment(this.inkCtx, stroke, stroke.points.length - 1, INK_SIZE);
    }
    this.callbacks.onInk();
  }

  private up(e: PointerEvent): void {
    const stroke = this.active;
    if (!stroke || e.pointerId !== stroke.pointerId) return;
    this.finish(this.view, stroke, this.canvas.width);
    this.finish(this.inkCtx, stroke, INK_SIZE);
    this.strokes.push({ width: stroke.width, points: stroke.points });
    this.active = undefined;
    this.callbacks.onStrokeEnd();
  }

  private toPoint(e: PointerEvent): Point {
    const rect = this.canvas.getBoundingClientRect();
    return { x: (e.clientX - rect.left) / rect.width, y: (e.clientY - rect.top) / rect.height };
  }

  private resize(): void {
    const rect = this.canvas.getBoundingClientRect();
    // Device pixels for crisp ink, capped: the visible canvas is never read, so size only costs paint.
    const size = Math.max(1, Math.round(rect.width * Math.min(window.devicePixelRatio || 1, 2)));
    if (size === this.canvas.width && size === this.canvas.height) return;
    this.canvas.width = this.canvas.height = size;
    this.redraw();
  }

  private redraw(): void {
    for (const [ctx, size] of [[this.view, this.canvas.width], [this.inkCtx, INK_SIZE]] as const) {
      ctx.fillStyle = PAPER;
      ctx.fillRect(0, 0, size, size);
      if (this.image) drawContained(ctx, this.image, size);
      for (const stroke of this.active ? [...this.strokes, this.active] : this.strokes) {
        this.dot(ctx, stroke, size);
        for (let i = 1; i < stroke.points.length; i++) this.segment(ctx, stroke, i, size);
        if (stroke !== this.active) this.finish(ctx, stroke, size);
      }
    }
  }

  // Strokes are quadratic curves through the midpoints of successive points, drawn incrementally:
  // segment i ends at the midpoint of points i-1 and i; `finish` draws the last half-segment.
  private dot(ctx: CanvasRenderingContext2D, stroke: { width: number; points: Point[] }, size: number): void {
    const p = stroke.points[0]!;
    ctx.fillStyle = INK;
    ctx.beginPath();
    ctx.arc(p.x * size, p.y * size, (stroke.width / REFERENCE_SIZE) * size * 0.5, 0, Math.PI * 2);
    ctx.fill();
  }

  private segment(ctx: CanvasRenderingContext2D, stroke: { width: number; points: Point[] }, i: number, size: number): void {
    const pts = stroke.points;
    const a = pts[i - 2];
    const b = pts[i - 1]!;
    const c = pts[i]!;
    const start = a ? mid(a, b) : b;
    const end = mid(b, c);
    this.pen(ctx, stroke.width, size);
    ctx.beginPath();
    ctx.moveTo(start.x * size, start.y * size);
    ctx.quadraticCurveTo(b.x * size, b.y * size, end.x * size, end.y * size);
    ctx.stroke();
  }

  private finish(ctx: CanvasRenderingContext2D, stroke: { width: number; points: Point[] }, size: number): void {
    const pts = stroke.points;
    if (pts.length < 2) return;
    const b = pts[pts.length - 2]!;
    const c = pts[pts.length - 1]!;
    const start = mid(b, c);
    this.pen(ctx, stroke.width, size);
    ctx.beginPath();
    ctx.moveTo(start.x * size, start.y * size);
    ctx.lineTo(c.x * size, c.y * size);
    ctx.stroke();
  }

  private pen(ctx: CanvasRenderingContext2D, width: number, size: number): void {
    ctx.strokeStyle = INK;
    ctx.lineWidth = (width / REFERENCE_SIZE) * size;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
  }
}

function context(canvas: HTMLCanvasElement, willReadFrequently: boolean): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently, alpha: false });
  if (!ctx) throw new Error('This browser cannot draw on a canvas (2D context unavailable).');
  return ctx;
}

function mid(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** Draws an image scaled to fit a size x size square, centred. */
export function drawContained(ctx: CanvasRenderingContext2D, image: CanvasImageSource, size: number): void {
  const { width, height } = imageSize(image);
  if (width === 0 || height === 0) return;
  const scale = Math.min(size / width, size / height);
  const w = width * scale;
  const h = height * scale;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, (size - w) / 2, (size - h) / 2, w, h);
}

function imageSize(image: CanvasImageSource): { width: number; height: number } {
  if (image instanceof HTMLImageElement) return { width: image.naturalWidth, height: image.naturalHeight };
  if (image instanceof HTMLVideoElement) return { width: image.videoWidth, height: image.videoHeight };
  if (image instanceof SVGImageElement) return { width: image.width.baseVal.value, height: image.height.baseVal.value };
  return { width: (image as { width: number }).width, height: (image as { height: number }).height };
}
