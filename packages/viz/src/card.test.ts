import { describe, expect, it } from 'vitest';
import { DigitkitError } from '@digitkit/core';
import { predictionCard } from './card.js';
import { mnistSlice } from '@digitkit/testkit';

const set = await mnistSlice({ split: 'test' });
const seven = set.images.subarray(0, 784); // test image #0 is a 7
const probabilities = [0.001, 0.002, 0.05, 0.001, 0, 0, 0, 0.93, 0.01, 0.006];

function texts(svg: string): string[] {
  return [...svg.matchAll(/<(?:text|tspan)[^>]*>([^<]*)</g)].map((m) => m[1]!.trim()).filter(Boolean);
}

describe('predictionCard', () => {
  it('shows the predicted label, its probability and every class probability as a bar with its value', () => {
    const svg = predictionCard(seven, { label: 7, probabilities });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const t = texts(svg);
    expect(t).toContain('7');
    expect(t).toContain('93.0%');
    for (const digit of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) expect(t).toContain(digit);
    for (const value of ['0.1%', '0.2%', '5.0%', '0.0%', '1.0%', '0.6%']) expect(t).toContain(value);
    expect(svg).toContain('<title>Predicted 7 (93.0%)</title>');
    expect(svg).not.toContain('true label');
    // The 93% bar is 93% as long as the track behind it.
    const bars = [...svg.matchAll(/<rect x="(\d+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" rx="2" fill="([^"]+)"/g)];
    const track = Number(bars.find((b) => b[3] === '#eef1f4')![2]);
    const predictedBar = bars.find((b) => b[3] === '#0969da')!;
    expect(Number(predictedBar[2]) / track).toBeCloseTo(0.93, 2);
  });

  it('marks a right answer green and a wrong one red, with the true label', () => {
    const right = predictionCard(seven, { label: 7, probabilities }, { trueLabel: 7 });
    expect(right).toContain('✓ correct');
    expect(right).toContain('fill="#1a7f37">7</tspan>');
    const wrong = predictionCard(seven, { label: 7, probabilities }, { trueLabel: 2 });
    expect(wrong).toContain('✗ wrong');
    expect(wrong).toContain('fill="#cf222e">7</tspan>');
    expect(wrong).toContain('<title>Predicted 7 (93.0%), true label 2, wrong</title>');
  });

  it('draws the image pixels: the brightest pixel becomes a white rect', () => {
    const svg = predictionCard(seven, { label: 7, probabilities });
    const brightest = Math.max(...seven);
    expect(svg).toContain(`fill="rgb(${brightest},${brightest},${brightest})"`);
    const ink = [...svg.matchAll(/fill="rgb\((\d+),\d+,\d+\)"/g)].map((m) => Number(m[1]));
    expect(new Set(ink)).toEqual(new Set([...seven].filter((v) => v > 0)));
  });

  it('refuses an image of the wrong size and bad probabilities, saying what was expected', () => {
    expect(() => predictionCard(new Uint8Array(100), { label: 1, probabilities })).toThrow(DigitkitError);
    expect(() => predictionCard(new Uint8Array(100), { label: 1, probabilities })).toThrow(/28x28 image \(784 bytes\), got 100 bytes/);
    expect(predictionCard(new Uint8Array(100), { label: 1, probabilities }, { width: 10, height: 10 })).toContain('<svg');
    expect(() => predictionCard(seven, { label: 12, probabilities })).toThrow(/predicted label must be an integer in 0..9, got 12/);
    expect(() => predictionCard(seven, { label: 1, probabilities: [0.5, Number.NaN] })).toThrow(/probabilities\[1\] must be a number in \[0, 1\]/);
    expect(() => predictionCard(seven, { label: 7, probabilities }, { trueLabel: 10 })).toThrow(/trueLabel/);
  });
});
