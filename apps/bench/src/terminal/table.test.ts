import { describe, expect, it } from 'vitest';
import { displayWidth, formatNs, formatOps, markdownTable, textTable } from './table';

describe('markdownTable', () => {
  it('pads cells and right-aligns numeric columns when rendering', () => {
    expect(
      markdownTable(
        ['package', 'ratio', 'ops/s'],
        [
          ['`@x/breaker`', '**2.84x** ✓', '2.73M'],
          ['a | b', '', '12'],
        ],
      ),
    ).toBe(
      [
        '| package      | ratio       | ops/s |',
        '| ------------ | ----------- | ----: |',
        '| `@x/breaker` | **2.84x** ✓ | 2.73M |',
        '| a \\| b       |             |    12 |',
      ].join('\n'),
    );
  });
});

describe('displayWidth', () => {
  it('counts wide characters twice when measuring', () => {
    expect(displayWidth('ab')).toBe(2);
    expect(displayWidth('你好')).toBe(4);
    expect(displayWidth('≥ ✓')).toBe(3);
  });
});

describe('textTable', () => {
  it('aligns every row to the widest cell when rendering', () => {
    const lines = textTable(
      ['a', 'n'],
      [
        ['xyz', 1],
        ['q', 100],
      ],
    ).split('\n');
    expect(lines.map((l) => l.length)).toEqual([
      lines[0]!.length,
      lines[0]!.length,
      lines[0]!.length,
      lines[0]!.length,
    ]);
    expect(lines[3]).toBe('q    100');
  });
});

describe('formatOps', () => {
  it('uses k and M suffixes when numbers are large', () => {
    expect(formatOps(1_234_567)).toBe('1.23M');
    expect(formatOps(12_345)).toBe('12.3k');
    expect(formatOps(12.345)).toBe('12.3');
    expect(formatNs(1500)).toBe('1.50 µs');
  });
});
