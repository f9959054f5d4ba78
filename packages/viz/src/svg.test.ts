import { describe, expect, it } from 'vitest';
import { escapeXml, formatDuration, formatNumber, formatPercent, namespaceSvgIds } from './svg.js';

describe('namespaceSvgIds', () => {
  it('prefixes ids and the references to them, leaving other URLs alone', () => {
    const svg =
      '<svg><defs><clipPath id="clip1"><rect/></clipPath><linearGradient id="g"/></defs>' +
      '<g clip-path="url(#clip1)"><rect fill="url(#g)"/><use href="#g"/><rect fill="url(#elsewhere)"/></g></svg>';
    const out = namespaceSvgIds(svg, 'a-');
    expect(out).toContain('id="a-clip1"');
    expect(out).toContain('id="a-g"');
    expect(out).toContain('clip-path="url(#a-clip1)"');
    expect(out).toContain('fill="url(#a-g)"');
    expect(out).toContain('href="#a-g"');
    expect(out).toContain('url(#elsewhere)');
    // Two copies inlined side by side no longer share an id.
    const both = namespaceSvgIds(svg, 'a-') + namespaceSvgIds(svg, 'b-');
    const ids = [...both.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('formatting', () => {
  it('escapes markup and formats numbers for people', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(formatPercent(0.97312)).toBe('97.3%');
    expect(formatPercent(0.97312, 2)).toBe('97.31%');
    expect(formatNumber(0.25)).toBe('0.25');
    expect(formatNumber(1 / 3)).toBe('0.3333');
    expect(formatDuration(4.2)).toBe('4.20 s');
    expect(formatDuration(41.26)).toBe('41.3 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3 h 02 min');
  });
});
