/**
 * Finds imports that run up a layer: every `@avs/*` dependency in a workspace package.json and every
 * `@avs/*` or cross-package relative specifier in its source files, checked against {@link LAYERS};
 * and any dependency or import the {@link APART} rules refuse (npm packages included).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { APART, BESIDE, type KeptApart, LAYERS, type Layer } from './layers.js';

/** One import the layering forbids. */
export interface Violation {
  /** Path relative to the repository root, with a line number for source files. */
  readonly where: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** A workspace package found from pnpm-workspace.yaml. */
export interface WorkspacePackage {
  readonly name: string;
  /** Absolute directory. */
  readonly dir: string;
}

const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'artifacts', '.turbo', 'bench-results', 'test-artifacts']);
const DEP_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;
// `from '…'`, `import '…'`, `import('…')`, `require('…')`; multi-line import lists end in `from '…'`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;

/** Reads the package globs of pnpm-workspace.yaml (`- dir/*` or `- dir/name` lines under `packages:`). */
export function workspaceGlobs(root: string): string[] {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs: string[] = [];
  let inPackages = false;
  for (const line of text.split('\n')) {
    if (/^packages:\s*$/.test(line)) {
      inPackages = true;
      continue;
    }
    if (inPackages) {
      const m = /^\s+-\s+['"]?([^'"#\s]+)['"]?/.exec(line);
      if (m?.[1]) globs.push(m[1]);
      else if (/^\S/.test(line)) inPackages = false;
    }
  }
  return globs;
}

/** Every directory with a package.json matched by the workspace globs (`dir/*` or an exact path). */
export function workspacePackages(root: string): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const glob of workspaceGlobs(root)) {
    const dirs = glob.endsWith('/*')
      ? safeList(join(root, glob.slice(0, -2))).map((d) => join(root, glob.slice(0, -2), d))
      : [join(root, glob)];
    for (const dir of dirs) {
      const manifest = join(dir, 'package.json');
      if (!isFile(manifest)) continue;
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name) found.push({ name, dir });
    }
  }
  return found;
}

/** Layer index of a package: -1 beside every layer, undefined when the table does not place it. */
export function layerOf(name: string, layers: readonly Layer[] = LAYERS): number | undefined {
  if (BESIDE.includes(name)) return -1;
  const index = layers.findIndex((l) => l.packages.includes(name));
  return index === -1 ? undefined : index;
}

function describe(index: number, layers: readonly Layer[]): string {
  return index === -1 ? 'beside' : (layers[index]?.name ?? '?');
}

/** Why an {@link APART} rule refuses `from` importing `to` (any package name), or undefined. */
export function keptApart(from: string, to: string, apart: readonly KeptApart[] = APART): string | undefined {
  const rule = apart.find((r) => r.from === from && r.never.includes(to));
  return rule ? `kept apart: ${from} may not import ${to}: ${rule.why}` : undefined;
}

/** Why `from` may not import `to`, or undefined when it may. */
export function forbidden(
  from: string,
  to: string,
  layers: readonly Layer[] = LAYERS,
  apart: readonly KeptApart[] = APART,
): string | undefined {
  if (from === to) return undefined;
  const apartReason = keptApart(from, to, apart);
  if (apartReason) return apartReason;
  const a = layerOf(from, layers);
  const b = layerOf(to, layers);
  if (a === undefined)
    return `${from} has no layer: add it to tooling/layers/src/layers.ts and docs/architecture.md`;
  if (b === undefined)
    return `${to} has no layer: add it to tooling/layers/src/layers.ts and docs/architecture.md`;
  if (b === -1) return undefined;
  if (a === -1) return `${from} sits beside the layers and may import none of them`;
  if (b > a) {
    return `runs up a layer: ${from} (${describe(a, layers)}) imports ${to} (${describe(b, layers)})`;
  }
  return undefined;
}

/** Checks every workspace package under `root`; returns the violations found. */
export function checkLayers(
  root: string,
  layers: readonly Layer[] = LAYERS,
  apart: readonly KeptApart[] = APART,
): Violation[] {
  const packages = workspacePackages(root);
  const byName = new Map(packages.map((p) => [p.name, p]));
  const violations: Violation[] = [];
  for (const pkg of packages) {
    const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const field of DEP_FIELDS) {
      for (const dep of Object.keys(manifest[field] ?? {})) {
        const reason = byName.has(dep)
          ? forbidden(pkg.name, dep, layers, apart)
          : keptApart(pkg.name, dep, apart);
        if (reason) {
          const where = `${relative(root, join(pkg.dir, 'package.json'))} (${field})`;
          violations.push({ where, from: pkg.name, to: dep, reason });
        }
      }
    }
    for (const file of sourceFiles(pkg.dir)) {
      const lines = stripComments(readFileSync(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        for (const m of line.matchAll(SPECIFIER)) {
          const specifier = m[1] ?? '';
          const target = targetPackage(specifier, file, byName, packages);
          const npm = target === undefined ? npmPackage(specifier) : undefined;
          if (!target && !npm) continue;
          const reason = target
            ? forbidden(pkg.name, target, layers, apart)
            : keptApart(pkg.name, npm ?? '', apart);
          if (reason) {
            violations.push({
              where: `${relative(root, file)}:${i + 1}`,
              from: pkg.name,
              to: target ?? npm ?? '',
              reason,
            });
          }
        }
      });
    }
  }
  return violations;
}

/** The workspace package a specifier points into: `@avs/name[/sub]`, or a relative path into another package. */
function targetPackage(
  specifier: string,
  file: string,
  byName: Map<string, WorkspacePackage>,
  packages: readonly WorkspacePackage[],
): string | undefined {
  if (specifier.startsWith('@avs/')) {
    const name = specifier.split('/').slice(0, 2).join('/');
    return byName.has(name) ? name : undefined;
  }
  if (!specifier.startsWith('.')) return undefined;
  const path = resolve(dirname(file), specifier);
  // The deepest package directory containing the path (tooling/harness/x lies inside tooling/).
  let best: WorkspacePackage | undefined;
  for (const p of packages) {
    if ((path === p.dir || path.startsWith(p.dir + sep)) && (!best || p.dir.length > best.dir.length))
      best = p;
  }
  return best?.name;
}

/** The npm package a bare specifier names (`ethers`, `@scope/name/sub` → `@scope/name`), else undefined. */
function npmPackage(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Blanks block comments and whole-line `//` comments (TSDoc examples may name higher packages). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/^\s*\/\/.*$/gm, '');
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of safeList(dir)) {
    if (SKIP_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    // A nested workspace package is checked as itself, not as part of its parent folder.
    if (stat.isDirectory()) {
      if (!isFile(join(path, 'package.json'))) out.push(...sourceFiles(path));
    } else if (SOURCE.test(entry) && !entry.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // missing, or a parent is a file (tooling/README.md/package.json)
  }
}
