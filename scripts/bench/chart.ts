import { formatNumber } from './report.js';

/** One pair of bars: the same figure for both servers. */
export interface ChartGroup {
  readonly label: string;
  readonly reference: number;
  readonly baseline: number;
}

/** One panel of horizontal bars sharing a linear scale. */
export interface ChartPanel {
  readonly title: string;
  readonly unit: string;
  readonly groups: readonly ChartGroup[];
}

const WIDTH = 760;
const LABEL_WIDTH = 200;
const VALUE_ROOM = 110;
const BAR = 16;
const GAP = 4;
const GROUP_GAP = 14;
const TITLE = 28;
const COLORS = { reference: '#1f6feb', baseline: '#d1782a' } as const;

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

function panelHeight(panel: ChartPanel): number {
  return TITLE + panel.groups.length * (2 * BAR + GAP + GROUP_GAP);
}

/**
 * Draws grouped horizontal bars, reference beside baseline, as a standalone SVG (no dependency,
 * no script, readable on GitHub). A missing figure draws no bar and the value `–`.
 */
export function renderChart(panels: readonly ChartPanel[], caption: string): string {
  const legend = 30;
  const height = legend + panels.reduce((sum, panel) => sum + panelHeight(panel), 0) + 24;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<rect x="10" y="10" width="12" height="12" fill="${COLORS.reference}"/><text x="28" y="20">reference server</text>`,
    `<rect x="150" y="10" width="12" height="12" fill="${COLORS.baseline}"/><text x="168" y="20">naive baseline</text>`,
  ];
  let y = legend;
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_ROOM;
  for (const panel of panels) {
    out.push(`<text x="10" y="${y + 18}" font-weight="bold" font-size="13">${escapeXml(panel.title)}</text>`);
    let rowY = y + TITLE;
    const finite = panel.groups.flatMap((g) => [g.reference, g.baseline]).filter((v) => Number.isFinite(v));
    const max = Math.max(...finite, Number.MIN_VALUE);
    for (const group of panel.groups) {
      out.push(`<text x="${LABEL_WIDTH - 8}" y="${rowY + BAR + GAP / 2 + 4}" text-anchor="end">${escapeXml(group.label)}</text>`);
      for (const [index, server] of (['reference', 'baseline'] as const).entries()) {
        const value = group[server];
        const barY = rowY + index * (BAR + GAP);
        const length = Number.isFinite(value) ? Math.max(1, (value / max) * barSpace) : 0;
        if (length > 0) {
          out.push(`<rect x="${LABEL_WIDTH}" y="${barY}" width="${length.toFixed(1)}" height="${BAR}" fill="${COLORS[server]}"/>`);
        }
        const text = Number.isFinite(value) ? `${formatNumber(value)} ${panel.unit}` : '–';
        out.push(`<text x="${(LABEL_WIDTH + length + 6).toFixed(1)}" y="${barY + BAR - 4}">${escapeXml(text)}</text>`);
      }
      rowY += 2 * BAR + GAP + GROUP_GAP;
    }
    y += panelHeight(panel);
  }
  out.push(`<text x="10" y="${height - 8}" fill="#555555" font-size="11">${escapeXml(caption)}</text>`, '</svg>', '');
  return out.join('\n');
}
