import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { DigitkitError } from '@digitkit/core';
import { confusionMatrix, confusionMatrixSpec, learningRateChart, learningRateChartSpec, trainingCurves, trainingCurvesSpec } from './charts.js';
import { mnistSlice } from '@digitkit/testkit';
import { fakeEvaluation, fakeHistory } from './test-helpers.js';

function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

describe('trainingCurves', () => {
  it('renders loss and accuracy per epoch, training and validation, with the final numbers', async () => {
    const history = fakeHistory(4); // accuracy 0.90 .. 0.96, validation 0.905 .. 0.959
    const svg = await trainingCurves(history);
    expect(svg.startsWith('<svg')).toBe(true);
    const t = svgTexts(svg);
    for (const s of ['Training curves', 'Loss', 'Accuracy', 'training', 'validation', 'epoch']) expect(t).toContain(s);
    expect(t).toContain('after epoch 4: training 96.00% · validation 95.90%');
    expect(t).toContain('after epoch 4: training 0.1 · validation 0.115');
    for (const epoch of ['1', '2', '3', '4']) expect(t).toContain(epoch);
    // One point per epoch and split in each panel: 4 epochs x 2 splits x 2 metrics.
    expect(svg.match(/role-mark[^"]*marktype-symbol|aria-roledescription="point"/g)?.length ?? 0).toBeGreaterThan(0);
  });

  it('draws a run without validation data', async () => {
    const history = fakeHistory(2).map(({ valLoss: _l, valAccuracy: _a, ...rest }) => rest);
    const svg = await trainingCurves(history);
    const t = svgTexts(svg);
    expect(t).toContain('training');
    expect(t).not.toContain('validation');
  });

  it('gives a Vega-Lite spec that compiles and holds every value', () => {
    const spec = trainingCurvesSpec(fakeHistory(3)) as { data: { values: { value: number }[] } };
    expect(spec.data.values).toHaveLength(3 * 4);
    expect(spec.data.values.some((v) => Math.abs(v.value - 0.94) < 1e-9)).toBe(true);
    expect(() => compile(spec as never)).not.toThrow();
  });

  it('names the epoch and field of a bad value', () => {
    const history = fakeHistory(3);
    const bad = [history[0]!, { ...history[1]!, loss: 'abc' as unknown as number }];
    expect(() => trainingCurvesSpec(bad)).toThrow(DigitkitError);
    expect(() => trainingCurvesSpec(bad)).toThrow(/"history\[1\]\.loss" must be a finite number, got "abc"/);
    expect(() => trainingCurvesSpec([])).toThrow(/non-empty/);
  });
});

describe('confusionMatrix', () => {
  it('writes every count in its cell, with true and predicted axes', async () => {
    const evaluation = fakeEvaluation(await mnistSlice({ split: 'test' }), 50);
    const confusion = evaluation.confusion.map((row) => [...row]);
    confusion[0]![0] = 1980;
    const svg = await confusionMatrix(confusion);
    const t = svgTexts(svg);
    expect(t).toContain('1,980'); // counts carry thousands separators
    expect(t).toContain('true label');
    expect(t).toContain('predicted label');
    for (const row of confusion) for (const count of row) expect(t).toContain(count.toLocaleString('en-US'));
    // Every one of the 100 cells has its count written: 100 numbers besides the 2 x 10 axis labels.
    expect(t.filter((s) => /^[\d,]+$/.test(s)).length).toBe(100 + 20);
    const total = confusion.flat().reduce((a, b) => a + b, 0);
    const correct = confusion.reduce((s, row, i) => s + row[i]!, 0);
    expect(total).toBeGreaterThan(10_000);
    expect(t).toContain(`${correct.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} correct (${((correct / total) * 100).toFixed(2)}%)`);
  });

  it('labels the axes with class names when given', async () => {
    const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
    const evaluation = fakeEvaluation(await mnistSlice({ split: 'test' }), 50);
    const t = svgTexts(await confusionMatrix(evaluation.confusion, { classNames: names }));
    for (const name of names) expect(t.filter((s) => s === name)).toHaveLength(2);
    expect(() => confusionMatrixSpec(evaluation.confusion, { classNames: names.slice(1) })).toThrow(/9 class names for a 10x10 matrix/);
  });

  it('refuses a matrix that is not square or holds non-counts', () => {
    expect(() => confusionMatrixSpec([[1, 2], [3]])).toThrow(/"confusion\[1\]" must be an array of 2 counts/);
    expect(() => confusionMatrixSpec([[1, -2], [3, 4]])).toThrow(/"confusion\[0\]\[1\]" must be an integer >= 0, got -2/);
    expect(() => confusionMatrixSpec([])).toThrow(DigitkitError);
  });
});

describe('learningRateChart', () => {
  it('draws the rate of every epoch, on a log axis when it decays by more than 10x', async () => {
    const history = fakeHistory(5).map((e, i) => ({ ...e, learningRate: 0.01 * 0.1 ** i }));
    const spec = learningRateChartSpec(history) as { data: { values: { epoch: number; rate: number }[] }; encoding: { y: { scale: { type?: string } } } };
    expect(spec.data.values.map((v) => v.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(spec.data.values[4]!.rate).toBeCloseTo(1e-6, 12);
    expect(spec.encoding.y.scale.type).toBe('log');
    expect(() => compile(spec as never)).not.toThrow();
    const t = svgTexts(await learningRateChart(history));
    expect(t).toContain('Learning rate');
    expect(t).toContain('0.01 at epoch 1 → 1e-6 at epoch 5');
  });

  it('says when the rate was constant, and keeps a linear axis', async () => {
    const spec = learningRateChartSpec(fakeHistory(3)) as { encoding: { y: { scale: { type?: string } } } };
    expect(spec.encoding.y.scale.type).toBeUndefined();
    expect(svgTexts(await learningRateChart(fakeHistory(3)))).toContain('constant 0.001');
    expect(() => learningRateChartSpec([])).toThrow(DigitkitError);
  });
});
