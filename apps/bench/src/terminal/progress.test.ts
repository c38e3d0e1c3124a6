import { describe, expect, it } from 'vitest';
import { bar, createProgress } from './progress';

describe('bar', () => {
  it('fills the width in proportion when given a fraction', () => {
    expect(bar(0, 8)).toBe(' '.repeat(8));
    expect(bar(1, 8)).toBe('█'.repeat(8));
    expect([...bar(0.5, 8)].length).toBe(8);
    expect(bar(0.5, 8).startsWith('████')).toBe(true);
  });
});

describe('createProgress', () => {
  it('prints one line per quarter when the stream is not a TTY', () => {
    const lines: string[] = [];
    const p = createProgress({ stream: { write: (s: string) => lines.push(s) > 0, isTTY: false } });
    p.start('suite', 20);
    for (let i = 0; i < 20; i++) p.tick(`step ${i}`);
    p.done();
    expect(lines).toHaveLength(4);
    expect(lines[3]).toContain('20/20');
  });
});
