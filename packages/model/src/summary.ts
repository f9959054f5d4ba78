import type { DigitModel } from '@digitkit/core';

/** Number of weights (trainable and not) in the model. */
export function parameterCount(model: DigitModel): number {
  return model.net.countParams();
}

/** A readable table of the model's layers: name (type), output shape and parameters, then the total. */
export function summary(model: DigitModel): string {
  const rows: [string, string, string][] = model.net.layers.map((layer) => [
    `${layer.name} (${layer.getClassName()})`,
    formatShape(layer.outputShape),
    layer.countParams().toLocaleString('en-US'),
  ]);
  const header: [string, string, string] = ['Layer (type)', 'Output shape', 'Params'];
  const widths = [0, 1, 2].map((c) => Math.max(header[c]!.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: [string, string, string]) => `${r[0].padEnd(widths[0]!)}  ${r[1].padEnd(widths[1]!)}  ${r[2].padStart(widths[2]!)}`;
  const rule = '-'.repeat(widths[0]! + widths[1]! + widths[2]! + 4);
  const total = parameterCount(model);
  const trainable = model.net.trainableWeights.reduce((sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  return [
    `Model: ${model.kind} (input [${model.inputShape.join(', ')}], ${model.numClasses} classes)`,
    rule,
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${total.toLocaleString('en-US')}` + (trainable !== total ? ` (trainable: ${trainable.toLocaleString('en-US')})` : ''),
  ].join('\n');
}

function formatShape(shape: unknown): string {
  const one = (s: readonly (number | null)[]) => `[${s.map((d) => (d === null ? 'batch' : String(d))).join(', ')}]`;
  if (Array.isArray(shape) && Array.isArray(shape[0])) return (shape as (number | null)[][]).map(one).join(' ');
  return one(shape as (number | null)[]);
}
