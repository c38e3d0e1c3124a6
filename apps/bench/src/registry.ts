import type { Scenario, Suite } from './context';

export interface Entry<T> {
  name: string;
  kind: 'micro' | 'load';
  summary: string;
  /** Loaded lazily, so a package that is not built only skips its own entry. */
  load: () => Promise<T>;
}

export const suites: Entry<Suite>[] = [
  {
    name: 'breaker',
    kind: 'micro',
    summary: '@x/breaker against opossum and cockatiel: closed path, open path (rejection)',
    load: async () => (await import('./suites/breaker')).breakerSuite,
  },
];

export const scenarios: Entry<Scenario>[] = [];

/** Entries chosen by --only / --skip (names or kinds). */
export function select<T>(entries: Entry<T>[], only: string[], skip: string[]): Entry<T>[] {
  const match = (e: Entry<T>, names: string[]) => names.includes(e.name) || names.includes(e.kind);
  return entries.filter((e) => (only.length === 0 || match(e, only)) && !match(e, skip));
}

/** Names given to --only/--skip that match nothing (a typo should not silently run nothing). */
export function unknownNames(names: string[]): string[] {
  const known = new Set<string>([
    'micro',
    'load',
    ...suites.map((s) => s.name),
    ...scenarios.map((s) => s.name),
  ]);
  return names.filter((n) => !known.has(n));
}
