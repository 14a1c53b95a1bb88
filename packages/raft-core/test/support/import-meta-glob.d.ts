// Vite's import.meta.glob, as vitest provides it (vite/client types are not a dependency here).
interface ImportMeta {
  glob<T = unknown>(
    pattern: string,
    options: { query: '?raw'; import: 'default'; eager: true },
  ): Record<string, T>;
}
