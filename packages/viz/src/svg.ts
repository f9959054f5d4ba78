// Small helpers for writing SVG and HTML by hand.

/** Escapes text for use in XML/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A percentage with one decimal: 0.9731 -> "97.3%". */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A count with thousands separators: 10000 -> "10,000" (fixed to en-US so reports are byte-identical everywhere). */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** A number with at most `digits` decimals and no trailing zeros: 0.25000 -> "0.25". */
export function formatNumber(value: number, digits = 4): string {
  return Number(value.toFixed(digits)).toString();
}

/** Seconds as "42.1 s", "3 min 05 s" or "1 h 02 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds - minutes * 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * Prefixes every id in an SVG (and the references to them), so several SVGs inlined in one HTML
 * page cannot capture each other's clip paths and gradients (Vega numbers them from 1 in every SVG).
 */
export function namespaceSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const match of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(match[1]!);
  if (ids.size === 0) return svg;
  return svg
    .replace(/(\sid=")([^"]+)"/g, (all, start: string, id: string) => `${start}${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${prefix}${id})` : all))
    .replace(/(href=")#([^"]+)"/g, (all, start: string, id: string) => (ids.has(id) ? `${start}#${prefix}${id}"` : all));
}
