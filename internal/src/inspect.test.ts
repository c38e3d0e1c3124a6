import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type InspectArgs, inspectStats } from './inspect';

class Counter {
  readonly secretField = 'hidden';
  statsCalls = 0;
  stats() {
    this.statsCalls++;
    return { count: 1, nested: { deeper: { deepest: true } } };
  }
  [Symbol.for('nodejs.util.inspect.custom')](...args: InspectArgs): string {
    return inspectStats('Counter', this, ...args);
  }
}

describe('inspectStats', () => {
  it('prints the label and the stats() snapshot, not the fields', () => {
    const text = inspect(new Counter());
    expect(text).toMatch(/^Counter \{ count: 1/);
    expect(text).not.toContain('secretField');
  });

  it('gives the snapshot the depth the object had', () => {
    expect(inspect(new Counter(), { depth: 1 })).toContain('nested: { deeper: [Object] }');
    expect(inspect({ a: new Counter() }, { depth: 1 })).toContain('nested: [Object]');
    expect(inspect(new Counter(), { depth: null })).toContain('deepest: true');
  });

  it('prints [Label] below the depth, without calling stats()', () => {
    const counter = new Counter();
    expect(inspect({ a: { b: counter } }, { depth: 1 })).toBe('{ a: { b: [Counter] } }');
    expect(counter.statsCalls).toBe(0);
  });

  it('keeps colours', () => {
    expect(inspect(new Counter(), { colors: true })).toContain('\u001b[33m1\u001b[39m');
  });
});
