import { describe, expect, it } from 'vitest';
import type { GroupResult } from '../results';
import { groupTable } from './markdown';

const checksOnly: GroupResult = {
  name: 'install size',
  description: 'bytes of node_modules',
  rows: [],
  facts: {},
  checks: [{ what: '@x/p install size', value: '4.80 MB', target: '≤ 5.00 MB', met: true }],
};

describe('groupTable', () => {
  it('prints the checks alone when the group has no timed case', () => {
    expect(groupTable(checksOnly)).toBe('- @x/p install size: **4.80 MB** (target ≤ 5.00 MB ✓)');
  });

  it('prints the table, a blank line, then the checks when the group has both', () => {
    const group: GroupResult = {
      ...checksOnly,
      rows: [
        {
          name: 'ours',
          library: '@x/p',
          role: 'ours',
          concurrency: 1,
          opsPerSec: 1e6,
          samples: [1e6],
          spreadPct: 0,
          nsPerOp: 1000,
          ratios: [],
        },
      ],
    };
    const lines = groupTable(group).split('\n');
    expect(lines[0]).toMatch(/^\| case/);
    expect(lines.at(-2)).toBe('');
    expect(lines.at(-1)).toMatch(/^- @x\/p install size/);
  });
});
