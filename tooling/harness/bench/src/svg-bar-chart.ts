/**
 * A grouped bar chart as a standalone SVG string (no scripts, no external
 * fonts or CDN), for the report's charts.
 */

/** One series of a {@link groupedBarChart}: one bar per category. */
export interface BarSeries {
  readonly name: string;
  /** One value per category; null draws no bar. */
  readonly values: readonly (number | null)[];
}

/** What to draw. */
export interface BarChartSpec {
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly yLabel: string;
  /** Digits after the decimal point in bar labels. Default 0. */
  readonly decimals?: number;
}

const COLORS = ['#2f6fdf', '#e07b28', '#3a9d5d', '#9b59b6', '#c0392b'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Renders the chart. */
export function groupedBarChart(spec: BarChartSpec): string {
  const width = 760;
  const height = 380;
  const left = 70;
  const right = 20;
  const top = 50;
  const bottom = 70;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const all = spec.series.flatMap((s) =>
    s.values.filter((v): v is number => v !== null && Number.isFinite(v)),
  );
  const max = niceMax(Math.max(0, ...all));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const groupW = plotW / Math.max(1, spec.categories.length);
  const barW = Math.min(48, (groupW * 0.8) / Math.max(1, spec.series.length));
  const decimals = spec.decimals ?? 0;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    // The accessible name of the chart (screen readers; biome's noSvgWithoutTitle).
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
  ];
  for (let t = 0; t <= 5; t++) {
    const v = (max * t) / 5;
    out.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e3e3"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${escapeXml(formatTick(v))}</text>`,
    );
  }
  out.push(
    `<text x="16" y="${top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${top + plotH / 2})">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.categories.forEach((cat, ci) => {
    const gx = left + ci * groupW + (groupW - barW * spec.series.length) / 2;
    spec.series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const x = gx + si * barW;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"/>`,
        `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${escapeXml(v.toFixed(decimals))}</text>`,
      );
    });
    out.push(
      `<text x="${(left + ci * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${escapeXml(cat)}</text>`,
    );
  });
  let lx = left;
  spec.series.forEach((s, si) => {
    out.push(
      `<rect x="${lx}" y="${height - 26}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`,
      `<text x="${lx + 16}" y="${height - 16}">${escapeXml(s.name)}</text>`,
    );
    lx += 30 + s.name.length * 7;
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function formatTick(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
