import { describe, expect, it } from 'vitest';
import type { MicroRow, Role } from '../results';
import { beyondBaseline, roomForTargets } from './baseline';

const row = (library: string, role: Role, nsPerOp: number): MicroRow => ({
  name: library,
  library,
  role,
  concurrency: 1,
  opsPerSec: 1e9 / nsPerOp,
  samples: [],
  spreadPct: 0,
  nsPerOp,
  ratios: [],
});

const rows = [
  row('none', 'baseline', 50),
  row('ours', 'ours', 90),
  row('slow', 'peer', 540),
  row('close', 'peer', 55),
];

describe('beyondBaseline', () => {
  it('returns what each case costs beyond the baseline row', () => {
    expect(beyondBaseline(rows, (l) => `over, ${l}`)).toEqual({
      'over, ours': '40 ns',
      'over, slow': '490 ns',
      'over, close': '5 ns',
    });
  });
});

describe('roomForTargets', () => {
  it('returns the cost a target leaves beyond the baseline, and says when none is left', () => {
    const facts = roomForTargets(
      rows,
      [
        { vs: 'slow', min: 8 },
        { vs: 'close', min: 1.5 },
        { vs: 'absent', min: 2 },
      ],
      'the clock read',
    );
    expect(facts).toEqual({
      'room left by ≥ 8x vs slow, beyond the clock read': '18 ns',
      'room left by ≥ 1.5x vs close, beyond the clock read':
        '-13 ns: out of reach while each call pays the clock read',
    });
  });

  it('measures from the baseline named, when the group holds several', () => {
    const floor = { ...row('none', 'baseline', 80), name: 'one derived promise' };
    const facts = roomForTargets(
      [...rows, floor],
      [{ vs: 'slow', min: 8 }],
      'one derived promise',
      'one derived promise',
    );
    expect(facts).toEqual({
      'room left by ≥ 8x vs slow, beyond one derived promise':
        '-12 ns: out of reach while each call pays one derived promise',
    });
  });

  it('reads a room that rounds to zero as 0 ns, never as -0 ns out of reach', () => {
    const facts = roomForTargets(
      [row('none', 'baseline', 50), row('slow', 'peer', 399)],
      [{ vs: 'slow', min: 8 }],
      'x',
    );
    expect(facts).toEqual({ 'room left by ≥ 8x vs slow, beyond x': '0 ns' });
  });

  it('returns nothing when the group has no baseline figure', () => {
    expect(roomForTargets([row('slow', 'peer', 540)], [{ vs: 'slow', min: 2 }], 'x')).toEqual({});
  });
});
