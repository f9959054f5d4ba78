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
  private readonly announcer = byId('announce');
  private readonly seen = byId<HTMLCanvasElement>('seen').getContext('2d')!;
  private readonly seenImage = new ImageData(28, 28);
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
    if (result.verdict !== 'digit') {
      this.showEmpty('Draw a digit', result.verdict === 'empty' ? result.reason : 'No digit found.', meta);
      return;
    }
    const { label, probabilities, confidence } = result;
    this.digit.textContent = String(label);
    this.verdict.textContent = `It’s a ${label}`;
    const sure = confidence >= 0.9 ? 'sure' : confidence >= 0.6 ? 'fairly sure' : 'unsure';
    const truth =
      meta.trueLabel === undefined ? '' : meta.trueLabel === label ? ` · correct (label ${meta.trueLabel})` : ` · wrong: the label is ${meta.trueLabel}`;
    this.sub.textContent = `${percent(confidence)} ${sure} · ${meta.describe}${!result.inverted && meta.source.startsWith('file:') ? ' (light ink on dark)' : ''}${truth}`;
    probabilities.forEach((p, d) => {
      this.fills[d]!.style.transform = `scaleX(${p})`;
      this.values[d]!.textContent = percent(p);
      this.rows[d]!.classList.toggle('is-top', d === label);
      this.rows[d]!.classList.toggle('is-truth', d === meta.trueLabel && d !== label);
    });
    const img = this.seenImage.data;
    for (let i = 0; i < 784; i++) {
      const v = result.pixels[i]!;
      img[i * 4] = img[i * 4 + 1] = img[i * 4 + 2] = v;
      img[i * 4 + 3] = 255;
    }
    this.seen.putImageData(this.seenImage, 0, 0);
    this.finish('digit', meta, String(label));
    if (meta.announce) this.announcer.textContent = `Prediction: ${label}, ${percent(confidence)} confident.`;
  }

  showEmpty(title: string, detail: string, meta: ShownMeta): void {
    this.digit.textContent = '?';
    this.verdict.textContent = title;
    this.sub.textContent = detail;
    for (let d = 0; d < 10; d++) {
      this.fills[d]!.style.transform = 'scaleX(0)';
      this.values[d]!.textContent = '–';
      this.rows[d]!.classList.remove('is-top', 'is-truth');
    }
    this.seen.fillStyle = '#000';
    this.seen.fillRect(0, 0, 28, 28);
    this.finish('empty', meta, '');
    if (meta.announce) this.announcer.textContent = `${title}. ${detail}`;
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

function percent(p: number): string {
  const v = p * 100;
  return `${v >= 99.95 ? '100' : v < 0.05 ? '0' : v.toFixed(v < 10 ? 1 : 0)}%`;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id} element.`);
  return el as T;
}
