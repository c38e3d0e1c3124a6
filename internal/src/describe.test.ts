import { expect, it, describe as suite } from 'vitest';
import { describe, expected } from './describe';

suite('describe', () => {
  it('tells an array from an object and a string from a number', () => {
    expect(describe([10])).toBe('`[10]` (array)');
    expect(describe({ a: 1 })).toBe('`{"a":1}` (object)');
    expect(describe('10')).toBe('`"10"` (string)');
    expect(describe(10)).toBe('`10` (number)');
    expect(describe(null)).toBe('`null` (null)');
    expect(describe(undefined)).toBe('`undefined` (undefined)');
    expect(describe(10n)).toBe('`10n` (bigint)');
    expect(describe(Number.NaN)).toBe('`NaN` (number)');
  });

  it('names functions and symbols, and survives circular objects', () => {
    expect(describe(function named() {})).toBe('`[Function named]` (function)');
    expect(describe(Symbol('s'))).toBe('`Symbol(s)` (symbol)');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describe(circular)).toBe('`[object Object]` (object)');
  });

  it('never shows what looks like a credential, alone or in an object', () => {
    expect(describe('sk-proj-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd')).toBe('`"[redacted]"` (string)');
    expect(describe({ apiKey: 'hunter2', model: 'llama3.2' })).toBe(
      '`{"apiKey":"[redacted]","model":"llama3.2"}` (object)',
    );
    expect(describe(['Bearer abc.def'])).toBe('`["Bearer [redacted]"]` (array)');
    expect(describe('redis://:pw@host:6379/0')).toBe('`"redis://[redacted]@host:6379/0"` (string)');
  });

  it('cuts long values to 60 characters', () => {
    const shown = describe('x'.repeat(500));
    expect(shown.length).toBeLessThan(80);
    expect(shown).toContain('...');
  });
});

suite('expected', () => {
  it('writes the house message', () => {
    expect(expected('capacity', 'a finite number >= 1', 0)).toBe(
      'Expected `capacity` to be a finite number >= 1, got `0` (number)',
    );
  });
});
