import { describe, expect, it } from 'vitest';
import {
  asPrinted,
  displayWidth,
  formatCheckedRatio,
  formatNs,
  formatOps,
  markdownTable,
  textTable,
} from './table';

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

describe('formatCheckedRatio', () => {
  it('prints two decimals when they agree with the check', () => {
    expect(formatCheckedRatio({ ratio: 1.234, target: 1, met: true })).toBe('1.23x');
    expect(formatCheckedRatio({ ratio: 0.5, target: 1, met: false })).toBe('0.50x');
    expect(formatCheckedRatio({ ratio: 0.949 })).toBe('0.95x');
  });
  it('prints the digits the check read when two decimals would contradict its ✗', () => {
    expect(formatCheckedRatio({ ratio: 0.949, target: 0.95, met: false })).toBe('0.949x');
    expect(formatCheckedRatio({ ratio: 1.496, target: 1.5, met: false })).toBe('1.496x');
  });
});

describe('asPrinted', () => {
  it('returns the number as it is printed when a check compares it', () => {
    expect(asPrinted(29.96, 1)).toBe(30);
    expect(asPrinted(29.96, 1) < 30).toBe(false);
    expect(asPrinted(150.4, 0)).toBe(150);
  });
});
