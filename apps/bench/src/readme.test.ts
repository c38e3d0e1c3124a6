import { describe, expect, it } from 'vitest';
import { readmeEnd, readmeStart, updateReadme } from './readme';
import { ratiosEnd, ratiosStart } from './report/markdown';

const report = [
  '# Benchmark report',
  '',
  'Generated 2026-11-26 10:00:00 UTC by `pnpm bench --quick` (profile `quick`, 90 s).',
  '',
  '| Node                  | v20.20.2 (V8 11.3)  |',
  '| CPU                   | AMD EPYC, 2 cores   |',
  '| load average at start | 1.5 / 1.2 / 1       |',
  '',
  ratiosStart,
  '| package | ratio |',
  '|---|---:|',
  '| `@x/breaker` | **3.10x** |',
  ratiosEnd,
].join('\n');

describe('updateReadme', () => {
  it('replaces only the marked region when both markers are present', () => {
    const readme = `# Title\n\nbefore\n\n${readmeStart}\nold table\n${readmeEnd}\n\nafter\n`;
    const out = updateReadme(readme, report);
    expect(out.startsWith('# Title\n\nbefore\n\n')).toBe(true);
    expect(out.endsWith(`${readmeEnd}\n\nafter\n`)).toBe(true);
    expect(out).not.toContain('old table');
    expect(out).toContain('| `@x/breaker` | **3.10x** |');
    expect(out).toContain('`pnpm bench --quick`');
    expect(out).toContain('2026-11-26 10:00:00 UTC');
    expect(out).toContain('on Node v20.20.2, AMD EPYC, 2 cores (load average 1.5 / 1.2 / 1);');
  });
  it('gives the same README when run twice on the same report', () => {
    const readme = `${readmeStart}\n${readmeEnd}\n`;
    const once = updateReadme(readme, report);
    expect(updateReadme(once, report)).toBe(once);
  });
  it('throws when the README has no markers', () => {
    expect(() => updateReadme('# nothing here', report)).toThrow(/markers/);
  });
  it('throws when the report has no ratio table', () => {
    expect(() => updateReadme(`${readmeStart}${readmeEnd}`, '# empty')).toThrow(/report.md/);
  });
});
