/**
 * Renders a package's benchmark JSON (whatever its shape) as markdown:
 * `rows` arrays become tables, `goals` become a goal table, and every other
 * number, string or boolean is listed by its path. Shapes differ per package,
 * so nothing here assumes more than "JSON".
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function cell(v: Json | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) {
    return v.map((x) => cell(x)).join(', ');
  }
  return cell(JSON.stringify(v));
}

/** Formats a number for a table: integers with thousands separators, others with 3 significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const abs = Math.abs(v);
  if (abs >= 100) return Math.round(v).toLocaleString('en-US');
  if (abs >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

function isRecord(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A markdown table of an array of flat objects (nested values shown as JSON). */
export function rowsTable(rows: readonly Json[]): string {
  const objects = rows.filter(isRecord);
  if (objects.length === 0) return '';
  const columns: string[] = [];
  for (const r of objects) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const lines = [`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`];
  for (const r of objects) lines.push(`| ${columns.map((c) => cell(r[c])).join(' | ')} |`);
  return lines.join('\n');
}

function goalsTable(goals: { [key: string]: Json }): string | undefined {
  const entries = Object.entries(goals).filter(([, g]) => isRecord(g) && ('met' in g || 'measured' in g));
  if (entries.length === 0) return undefined;
  const lines = ['| goal | target | measured | met |', '| --- | --- | --- | --- |'];
  for (const [name, g] of entries) {
    const r = g as { [key: string]: Json };
    const met = r.met === true ? '✅ yes' : r.met === false ? '❌ no' : '';
    lines.push(`| ${name} | ${cell(r.target)} | ${cell(r.measured)} | ${met} |`);
  }
  return lines.join('\n');
}

function flatten(value: Json, path: string, out: [string, string][], limit: number): void {
  if (out.length >= limit) return;
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out, limit);
    return;
  }
  if (Array.isArray(value)) {
    if (value.every((x) => typeof x !== 'object' || x === null)) out.push([path, cell(value)]);
    else for (const [i, v] of value.entries()) flatten(v, `${path}[${i}]`, out, limit);
    return;
  }
  out.push([path, cell(value)]);
}

/**
 * Markdown for one package's results.
 * @param data the parsed JSON file
 * @param maxLines most "path | value" lines listed (the rest are counted, not shown)
 */
export function renderPackageResults(data: unknown, maxLines = 60): string {
  const json = data as Json;
  const visit = (value: { [key: string]: Json }, heading: string | undefined): string[] => {
    const label = (k: string) => (heading ? `**${heading}: ${k}**` : `**${k}**`);
    const rest: { [key: string]: Json } = {};
    const sub: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const goals = k === 'goals' && isRecord(v) ? goalsTable(v) : undefined;
      if (Array.isArray(v) && v.length > 0 && v.every(isRecord)) {
        sub.push(`${label(k)}\n\n${rowsTable(v)}`);
      } else if (goals) {
        sub.push(`${label('goals')}\n\n${goals}`);
      } else if (isRecord(v) && Object.values(v).some((x) => isRecord(x) || Array.isArray(x))) {
        sub.push(...visit(v, heading ? `${heading}.${k}` : k));
      } else {
        rest[k] = v;
      }
    }
    const flat: [string, string][] = [];
    flatten(rest, '', flat, maxLines + 1);
    if (flat.length === 0) return sub;
    const lines = [
      '| field | value |',
      '| --- | --- |',
      ...flat.slice(0, maxLines).map(([k, v]) => `| ${k} | ${v} |`),
    ];
    if (flat.length > maxLines) lines.push('| … | (more fields in the JSON file) |');
    return [`${heading ? `**${heading}**\n\n` : ''}${lines.join('\n')}`, ...sub];
  };
  return isRecord(json) ? visit(json, undefined).join('\n\n') : '(not a JSON object)';
}
