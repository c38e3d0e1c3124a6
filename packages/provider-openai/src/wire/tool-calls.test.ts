import { MAX_TOOL_CALLS } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { ToolCalls } from './tool-calls';

/** The accumulator turns these into its stream error; here the detail is enough. */
const malformed = (detail: string): never => {
  throw new Error(detail);
};

describe('ToolCalls', () => {
  it('assembles calls from deltas by index, in index order, whatever the order of arrival', () => {
    const calls = new ToolCalls(malformed);
    calls.add([{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '' } }]);
    calls.add([
      { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x"' } },
    ]);
    calls.add([
      { index: 1, function: { arguments: '{}' } },
      { index: 0, function: { arguments: ':1}' } },
    ]);
    expect(calls.list()).toEqual([
      { id: 'a', index: 0, name: 'f', arguments: { x: 1 }, rawArguments: '{"x":1}' },
      { id: 'b', index: 1, name: 'g', arguments: {}, rawArguments: '{}' },
    ]);
  });

  it('does not double a name a server repeats, and starts a new call on a new id without index', () => {
    const calls = new ToolCalls(malformed);
    calls.add([{ id: 'a', function: { name: 'f', arguments: '{"a":' } }]);
    calls.add([{ function: { name: 'f', arguments: '2}' } }]);
    calls.add([{ id: 'b', function: { name: 'g', arguments: { already: 'object' } } }]);
    expect(calls.list()).toEqual([
      { id: 'a', index: 0, name: 'f', arguments: { a: 2 }, rawArguments: '{"a":2}' },
      {
        id: 'b',
        index: 1,
        name: 'g',
        arguments: { already: 'object' },
        rawArguments: '{"already":"object"}',
      },
    ]);
  });

  it('starts a new call when a delta brings another id at an index held by a named call, continued by later id-less deltas', () => {
    const calls = new ToolCalls(malformed);
    calls.add([
      { index: 0, id: 'a', function: { name: 'f', arguments: '{"x":' } },
      { index: 0, id: 'b', function: { name: 'g', arguments: '{"y":' } },
    ]);
    calls.add([{ index: 0, function: { arguments: '2}' } }]);
    calls.add([{ index: 0, id: 'a', function: { arguments: '1}' } }]);
    expect(calls.complete()).toEqual([
      { id: 'a', index: 0, name: 'f', arguments: { x: 1 }, rawArguments: '{"x":1}' },
      { id: 'b', index: 1, name: 'g', arguments: { y: 2 }, rawArguments: '{"y":2}' },
    ]);
  });

  it('places each of the most calls an answer may hold (4,096), numbered 0 by the server, without looking through the others', () => {
    // Counted, not timed: a scan of every call per delta (or a `Math.max(...keys)`) reads the
    // call map 200 million times here; a lookup by id reads it once per call.
    const calls = new ToolCalls(malformed);
    let reads = 0;
    const values = Map.prototype.values;
    const keys = Map.prototype.keys;
    Map.prototype.values = function (this: Map<unknown, unknown>) {
      reads += this.size;
      return values.call(this);
    };
    Map.prototype.keys = function (this: Map<unknown, unknown>) {
      reads += this.size;
      return keys.call(this);
    };
    try {
      for (let i = 0; i < MAX_TOOL_CALLS; i++) {
        calls.add([{ index: 0, id: `c${i}`, function: { name: 'f', arguments: '{}' } }]);
      }
    } finally {
      Map.prototype.values = values;
      Map.prototype.keys = keys;
    }
    // A scan of the others per call would read about 8 million entries for as many calls.
    expect(reads).toBeLessThan(5 * MAX_TOOL_CALLS);
    const list = calls.complete();
    expect(list).toHaveLength(MAX_TOOL_CALLS);
    const last = MAX_TOOL_CALLS - 1;
    expect(list.at(-1)).toMatchObject({ id: `c${last}`, index: last, name: 'f' });
  });

  it('keeps one call when only its first delta has an id, or a delta repeats it, or a nameless call gets its id late', () => {
    const calls = new ToolCalls(malformed);
    calls.add([{ index: 0, id: 'a', function: { name: 'f', arguments: '{"x"' } }]);
    calls.add([{ index: 0, function: { arguments: ':' } }]);
    calls.add([{ index: 0, id: 'a', function: { arguments: '1}' } }]);
    calls.add([{ index: 1, function: { arguments: '{}' } }]);
    calls.add([{ index: 1, id: 'b', function: { name: 'g' } }]);
    expect(calls.complete()).toEqual([
      { id: 'a', index: 0, name: 'f', arguments: { x: 1 }, rawArguments: '{"x":1}' },
      { id: 'b', index: 1, name: 'g', arguments: {}, rawArguments: '{}' },
    ]);
  });

  it('keeps the raw text and gives {} when the arguments are not a JSON object', () => {
    const calls = new ToolCalls(malformed);
    calls.add(
      [
        { id: 'a', function: { name: 'f', arguments: '[1,2]' } },
        { id: 'b', function: { name: 'g', arguments: '{oops' } },
      ],
      true,
    );
    expect(calls.list().map((c) => [c.arguments, c.rawArguments])).toEqual([
      [{}, '[1,2]'],
      [{}, '{oops'],
    ]);
  });

  it("joins a custom call's input from its deltas, as text, never parsed", () => {
    const calls = new ToolCalls(malformed);
    calls.add([{ index: 0, id: 'a', type: 'custom', custom: { name: 'sql', input: '' } }]);
    calls.add([{ index: 0, custom: { input: '{"not":' } }]);
    calls.add([{ index: 0, custom: { name: 'sql', input: ' json' } }]);
    expect(calls.complete()).toEqual([
      { type: 'custom', id: 'a', index: 0, name: 'sql', input: '{"not": json', arguments: {} },
    ]);
  });

  it('refuses a custom call without a name once complete, not while its deltas arrive', () => {
    const calls = new ToolCalls(malformed);
    calls.add([{ index: 0, id: 'a', type: 'custom', custom: { input: 'x' } }]);
    expect(calls.list()).toMatchObject([{ type: 'custom', name: '', input: 'x' }]);
    expect(() => calls.complete()).toThrow('tool call 0 is a custom call without `custom.name`');
  });

  it('names a function call by the first delta with a non-empty name, null and absent names after it no news', () => {
    const calls = new ToolCalls(malformed);
    calls.add([{ index: 0, id: 'a', type: 'function', function: { name: '', arguments: '' } }]);
    calls.add([{ index: 0, function: { name: 'f', arguments: '{"x":' } }]);
    calls.add([{ index: 0, function: { name: null, arguments: '1' } }]);
    calls.add([{ index: 0, function: { name: 'g', arguments: '}' } }]);
    expect(calls.complete()).toEqual([
      { id: 'a', index: 0, name: 'f', arguments: { x: 1 }, rawArguments: '{"x":1}' },
    ]);
  });

  it('refuses a function call without a name once complete, not while its deltas arrive', () => {
    const calls = new ToolCalls(malformed);
    calls.add([{ index: 0, id: 'a', function: { arguments: '{}' } }]);
    calls.add([{ index: 0, function: { name: null } }]);
    expect(calls.list()).toMatchObject([{ name: '', rawArguments: '{}' }]);
    expect(() => calls.complete()).toThrow(
      'tool call 0 is a function call without `function.name`',
    );
  });

  it('refuses a whole function call without a name, or with a name that is not a string', () => {
    expect(() =>
      new ToolCalls(malformed).add([{ id: 'a', function: { arguments: '{}' } }], true),
    ).toThrow('tool call 0 is a function call without `function.name`');
    expect(() =>
      new ToolCalls(malformed).add([{ id: 'a', function: { name: ['f'], arguments: '{}' } }]),
    ).toThrow("tool call 0's `function.name` is array, not a string");
  });

  it.each([
    ['beyond 2^53 (JSON 1e400 parses as Infinity)', Number.POSITIVE_INFINITY],
    ['past the safe integers', 2 ** 60],
    ['negative', -1],
    ['fractional', 0.5],
  ])('keeps every call when a server numbers them with an index %s', (_, index) => {
    const calls = new ToolCalls(malformed);
    calls.add([{ index, id: 'a', function: { name: 'f', arguments: '{}' } }]);
    calls.add([{ index, id: 'b', function: { name: 'g', arguments: '{}' } }]);
    calls.add([{ index, id: 'c', function: { name: 'h', arguments: '{}' } }]);
    const list = calls.complete();
    expect(list.map((c) => [c.id, c.name])).toEqual([
      ['a', 'f'],
      ['b', 'g'],
      ['c', 'h'],
    ]);
    // the answer's indexes are its own: small, distinct, in order
    expect(list.map((c) => c.index)).toEqual([0, 1, 2]);
  });
});
