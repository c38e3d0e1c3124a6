import { describe, expect, it } from 'vitest';
import { expectJsonValues, MAX_JSON_DEPTH } from './json-values';

const WHAT = 'to be a JSON value (it is sent as JSON)';

describe('expectJsonValues', () => {
  it('accepts JSON values, shared references, toJSON objects and undefined object fields', () => {
    const shared = { type: 'string' };
    expect(() =>
      expectJsonValues('p', {
        type: 'object',
        properties: { a: shared, b: shared, c: [1, 'x', true, null] },
        when: new Date(0),
        skipped: undefined,
      }),
    ).not.toThrow();
    for (const leaf of ['x', 0, false, null])
      expect(() => expectJsonValues('p', leaf)).not.toThrow();
  });

  it('refuses a cycle, naming where it closes and what it goes back to', () => {
    const parameters: Record<string, unknown> = { type: 'object', properties: {} };
    (parameters.properties as Record<string, unknown>).a = { items: parameters };
    expect(() => expectJsonValues('tools[0].function.parameters', parameters)).toThrow(
      new TypeError(
        `Expected \`tools[0].function.parameters.properties.a.items\` ${WHAT}, got a cycle back to \`tools[0].function.parameters\``,
      ),
    );
  });

  it('finds a cycle deeper than the stack scan too, and one through an array', () => {
    const top: Record<string, unknown> = {};
    let at = top;
    for (let i = 0; i < 50; i++) at = at.a = {} as Record<string, unknown>;
    at.back = top.a;
    expect(() => expectJsonValues('p', top)).toThrow(/got a cycle back to `p\.a`$/);
    const list: unknown[] = [];
    list.push({ items: list });
    expect(() => expectJsonValues('p', list)).toThrow(
      /^Expected `p\[0\]\.items` .*got a cycle back to `p`$/,
    );
  });

  it('refuses a BigInt, a function and a symbol at their exact path', () => {
    expect(() => expectJsonValues('p', { properties: { a: 1n } })).toThrow(
      new TypeError(`Expected \`p.properties.a\` ${WHAT}, got \`1n\` (bigint)`),
    );
    expect(() => expectJsonValues('p', { 'a b': [() => 1] })).toThrow(
      `Expected \`p["a b"][0]\` ${WHAT}, got`,
    );
    expect(() => expectJsonValues('p', { s: Symbol('x') })).toThrow(TypeError);
    expect(() => expectJsonValues('p', { f() {} })).toThrow('`p.f`');
  });

  it('refuses an array hole and undefined in an array (JSON would send null)', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    expect(() => expectJsonValues('p', { enum: ['a', , 'c'] })).toThrow(
      new TypeError(`Expected \`p.enum[1]\` ${WHAT}, got \`undefined\` (undefined)`),
    );
    expect(() => expectJsonValues('p', [undefined])).toThrow('`p[0]`');
  });

  it('refuses NaN and the infinities as a RangeError (JSON would send null)', () => {
    expect(() => expectJsonValues('p', { maximum: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => expectJsonValues('p', { maximum: Number.NaN })).toThrow('`p.maximum`');
  });

  it('names a getter that throws instead of letting its error through', () => {
    const value = {
      get a(): never {
        throw new Error('boom');
      },
    };
    expect(() => expectJsonValues('p', value)).toThrow('`p.a`');
  });

  it('walks deep input without recursion and refuses nesting past the bound by path', () => {
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) ok = [ok];
    expect(() => expectJsonValues('p', ok)).not.toThrow();
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(() => expectJsonValues('p', deep)).toThrow(RangeError);
    expect(() => expectJsonValues('p', deep)).toThrow(`nested at most ${MAX_JSON_DEPTH} deep`);
  });
});
