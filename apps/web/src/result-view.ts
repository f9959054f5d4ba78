import type { Recognition } from '@digitkit/recognizer';

/** Where the time of one timed recognition goes, in milliseconds: reading the pad's pixels, then the recognizer. */
export interface StageTiming {
  read: number;
  recognize: number;
}

export interface ShownMeta {
  /** Where the picture came from, for the test hooks and the sub-line ("your drawing", a file name…). */
  source: string;
  describe: string;
  /** The true label, when known (gallery digits). */
  trueLabel?: number;
  /** Put the answer in the aria-live region (not while drawing: that would flood screen readers). */
  announce: boolean;
}

/** The prediction panel: the digit, its confidence, ten probability bars and the 28x28 model input. */
export class ResultView {
  private readonly root = byId('result');
  private readonly digit = byId('digit');
  private readonly verdict = byId('verdict');
  private readonly sub = byId('verdict-sub');
  private readonly latency = byId('latency');
  private readonly guesses = byId('top-guesses');
  private readonly announcer = byId('announce');
  private readonly seenCanvas = byId<HTMLCanvasElement>('seen');
  private readonly seen = this.seenCanvas.getContext('2d')!;
  private readonly seenCaption = byId('seen-caption');
  private seenImage = new ImageData(28, 28);
  private readonly fills: HTMLElement[] = [];
  private readonly values: HTMLElement[] = [];
  private readonly rows: HTMLElement[] = [];
  private sequence = 0;

  constructor() {
    const bars = byId('bars');
    for (let d = 0; d < 10; d++) {
      const row = document.createElement('li');
      row.className = 'bar';
      row.innerHTML = `<span class="bar-label">${d}</span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value">–</span>`;
      bars.append(row);
      this.rows.push(row);
      this.fills.push(row.querySelector('.bar-fill')!);
      this.values.push(row.querySelector('.bar-value')!);
    }
    this.showEmpty('Draw a digit', 'The model’s answer appears here while you draw.', { source: 'none', describe: '', announce: false });
  }

  show(result: Recognition, meta: ShownMeta): void {
    switch (result.verdict) {
      case 'digit':
        this.showDigit(result, meta);
        break;
      case 'digits':
        this.showNumber(result, meta);
        break;
      case 'unsure':
        this.showUnsure(result, meta);
        break;
      case 'empty':
        this.showEmpty('Draw a digit', result.reason, meta);
        break;
      default:
        this.showEmpty('Draw a digit', 'No digit found.', meta);
        break;
    }
  }

  /** Several digits side by side: the number, and how sure the model is of each digit. */
  private showNumber(result: Extract<Recognition, { verdict: 'digits' }>, meta: ShownMeta): void {
    const number = result.digits.join('');
    this.digit.textContent = number;
    this.verdict.textContent = `It reads ${number}`;
    this.sub.textContent = `${result.digits.length} digits, read left to right · ${meta.describe}`;
    this.guesses.textContent = result.pieces.map((p) => `${p.label}: ${percent(p.confidence)}`).join(' · ');
    this.clearBars();
    this.drawSeen(...result.pieces.map((p) => p.pixels));
    this.finish('digits', meta, number);
    if (meta.announce) this.announcer.textContent = `Prediction: the number ${number}.`;
  }

  /** Ink that is no digit the model can name: say so, with its best guesses. */
  private showUnsure(result: Extract<Recognition, { verdict: 'unsure' }>, meta: ShownMeta): void {
    this.digit.textContent = '?';
    this.verdict.textContent = 'Not sure — is this one digit?';
    this.sub.textContent = `Best guesses for ${meta.describe || 'it'}: ${result.guesses.map((g) => `${g.label} (${percent(g.probability)})`).join(', ')}`;
    this.guesses.textContent = '';
    this.fillBars(result.probabilities, -1, meta.trueLabel);
    this.drawSeen(result.pixels);
    this.finish('unsure', meta, '');
    if (meta.announce) this.announcer.textContent = `Not sure this is one digit. Best guess ${result.guesses[0]!.label}.`;
  }

  /** The model is loading: a spinner and a line saying what happens then. */
  showLoading(detail: string, meta: ShownMeta): void {
    this.showEmpty('Loading the model…', detail, meta);
    this.root.dataset.state = 'loading';
    this.root.setAttribute('aria-busy', 'true');
  }

  private showDigit(result: Extract<Recognition, { verdict: 'digit' }>, meta: ShownMeta): void {
    const { label, probabilities, confidence } = result;
    this.digit.textContent = String(label);
    this.verdict.textContent = `It’s ${withArticle(label)}`;
    const sure = confidence >= 0.9 ? 'sure' : confidence >= 0.6 ? 'fairly sure' : 'unsure';
    const truth =
      meta.trueLabel === undefined ? '' : meta.trueLabel === label ? ` · correct (label ${meta.trueLabel})` : ` · wrong: the label is ${meta.trueLabel}`;
    this.sub.textContent = `${percent(confidence)} ${sure} · ${meta.describe}${!result.inverted && meta.source.startsWith('file:') ? ' (light ink on dark)' : ''}${truth}`;
    this.guesses.textContent = `Top 3: ${result.guesses.map((g) => `${g.label} ${percent(g.probability)}`).join(' · ')}`;
    this.fillBars(probabilities, label, meta.trueLabel);
    this.drawSeen(result.pixels);
    this.finish('digit', meta, String(label));
    if (meta.announce) this.announcer.textContent = `Prediction: ${label}, ${percent(confidence)} confident.`;
  }

  showEmpty(title: string, detail: string, meta: ShownMeta): void {
    this.digit.textContent = '?';
    this.verdict.textContent = title;
    this.sub.textContent = detail;
    this.guesses.textContent = '';
    this.clearBars();
    this.drawSeen(new Uint8Array(784));
    this.finish('empty', meta, '');
    if (meta.announce) this.announcer.textContent = `${title}. ${detail}`;
  }

  private fillBars(probabilities: readonly number[], top: number, truth: number | undefined): void {
    probabilities.forEach((p, d) => {
      this.fills[d]!.style.transform = `scaleX(${p})`;
      this.values[d]!.textContent = percent(p);
      this.rows[d]!.classList.toggle('is-top', d === top);
      this.rows[d]!.classList.toggle('is-truth', d === truth && d !== top);
    });
  }

  private clearBars(): void {
    for (let d = 0; d < 10; d++) {
      this.fills[d]!.style.transform = 'scaleX(0)';
      this.values[d]!.textContent = '–';
      this.rows[d]!.classList.remove('is-top', 'is-truth');
    }
  }

  /** The 28x28 model inputs side by side (one per digit of a number), a line of the frame's colour between them. */
  private drawSeen(...pieces: Uint8Array[]): void {
    const width = pieces.length * (28 + SEEN_GAP) - SEEN_GAP;
    if (this.seenImage.width !== width) {
      this.seenCanvas.width = width;
      // Three screen pixels a model pixel, up to a few digits' worth; the height follows the canvas's shape.
      this.seenCanvas.style.width = `${Math.min(3 * width, MAX_SEEN_WIDTH)}px`;
      this.seenCaption.textContent = pieces.length === 1 ? 'Model input, 28×28' : `Model input, ${pieces.length} × 28×28`;
      this.seenImage = new ImageData(width, 28);
    }
    const img = this.seenImage.data;
    pieces.forEach((pixels, k) => {
      for (let i = 0; i < 784; i++) {
        const at = ((i / 28) | 0) * width + k * (28 + SEEN_GAP) + (i % 28);
        img[at * 4] = img[at * 4 + 1] = img[at * 4 + 2] = pixels[i]!;
        img[at * 4 + 3] = 255;
      }
    });
    this.seen.putImageData(this.seenImage, 0, 0);
  }

  showError(title: string, detail: string, meta: ShownMeta): void {
    this.showEmpty(title, detail, { ...meta, announce: false });
    this.root.dataset.state = 'error';
    if (meta.announce) this.announcer.textContent = `${title}. ${detail}`;
  }

  private finish(state: string, meta: ShownMeta, label: string): void {
    const d = this.root.dataset;
    d.state = state;
    d.label = label;
    d.source = meta.source;
    d.seq = String(++this.sequence);
    this.root.removeAttribute('aria-busy');
    if (state !== 'digit') {
      delete d.latencyMs;
      this.latency.textContent = '';
    }
  }

  /** Shows how long the last timed recognition took (stroke end -> answer in the panel). */
  setLatency(ms: number, timing?: StageTiming): void {
    this.root.dataset.latencyMs = ms.toFixed(2);
    if (timing) this.root.dataset.timing = JSON.stringify(timing);
    this.latency.textContent = `answered in ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  }
}

/** Columns between the model inputs of a number's digits (left transparent: the frame's line colour shows there). */
const SEEN_GAP = 2;
/** The widest the model inputs are shown, in CSS pixels. */
const MAX_SEEN_WIDTH = 180;

/** "a 7", "an 8", "an 11", "an 18", "an 80": the article by how the number is said. */
export function withArticle(n: number): string {
  const spoken = String(n);
  const vowel = spoken.startsWith('8') || ((spoken.startsWith('11') || spoken.startsWith('18')) && spoken.length % 3 === 2);
  return `${vowel ? 'an' : 'a'} ${spoken}`;
}

function percent(p: number): string {
  const v = p * 100;
  return `${v >= 99.95 ? '100' : v < 0.05 ? '0' : v.toFixed(v < 10 ? 1 : 0)}%`;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id} element.`);
  return el as T;
}
