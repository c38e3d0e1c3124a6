import { describe, expect, it } from 'vitest';
import * as check from './validate';

describe('expectModelName', () => {
  it('throws a TypeError naming the example when the name is blank', () => {
    expect(() => check.expectModelName('request.model', ' ', 'm1')).toThrow(
      new TypeError(
        'Expected `request.model` to be a non-empty string (a model name such as "m1"), got `" "` (string)',
      ),
    );
    expect(() => check.expectModelName('request.model', 'm1', 'm1')).not.toThrow();
  });
});

describe('optionalNumberIn', () => {
  it('throws a RangeError when the number is out of range, and accepts undefined', () => {
    expect(() => check.optionalNumberIn('request.topP', 2, 0, 1)).toThrow(RangeError);
    expect(() => check.optionalNumberIn('request.topK', 1.5, 0, 10, true)).toThrow(/request\.topK/);
    expect(() => check.optionalNumberIn('request.topP', undefined, 0, 1)).not.toThrow();
  });
});

describe('optionalStop', () => {
  it('accepts a string or strings and throws a TypeError for anything else', () => {
    expect(() => check.optionalStop('request.stop', ['a', 'b'])).not.toThrow();
    expect(() => check.optionalStop('request.stop', [1])).toThrow(
      'Expected `request.stop` to be a string or an array of strings',
    );
  });
});

describe('optionalCacheMode', () => {
  it('throws a TypeError listing the modes when the mode is unknown', () => {
    expect(() => check.optionalCacheMode('request.cache', 'always')).toThrow(
      'Expected `request.cache` to be one of "default", "bypass", "refresh"',
    );
    expect(() => check.optionalCacheMode('request.cache', 'bypass')).not.toThrow();
  });
});

describe('expectChatMessage', () => {
  it('throws naming the field when the role, the content or a key is wrong', () => {
    expect(() => check.expectChatMessage('m', { role: 'robot', content: '' })).toThrow(
      'Expected `m.role` to be one of "system", "user", "assistant", "tool"',
    );
    expect(() => check.expectChatMessage('m', { role: 'user', content: 1 })).toThrow(
      'Expected `m.content` to be a string',
    );
    expect(() =>
      check.expectChatMessage('m', { role: 'user', content: '', x: 1 }, ['role', 'content']),
    ).toThrow(/`m\.x`/);
    expect(() => check.expectChatMessage('m', { role: 'user', content: 'hi' })).not.toThrow();
  });
});

describe('optionalImages', () => {
  it('names the bad item with the wording given', () => {
    expect(() => check.optionalImages('i', ['ok', 3])).toThrow(
      'Expected `i[1]` to be a base64 string or a Uint8Array',
    );
    expect(() => check.optionalImages('i', 'x', { list: 'a list', item: 'an image' })).toThrow(
      'Expected `i` to be a list',
    );
    expect(() => check.optionalImages('i', [new Uint8Array(1)])).not.toThrow();
  });
});

describe('optionalToolCalls', () => {
  it('throws for a call without a name or object arguments and runs `each` on the others', () => {
    expect(() => check.optionalToolCalls('c', [{ name: 'f', arguments: [] }])).toThrow(
      'Expected `c[0]` to be an object with `name` and object `arguments`',
    );
    const seen: string[] = [];
    check.optionalToolCalls('c', [{ name: 'f', arguments: {} }], (_call, at) => seen.push(at));
    expect(seen).toEqual(['c[0]']);
  });
});

describe('optionalTools', () => {
  it('throws naming the tool whose function has no name', () => {
    expect(() => check.optionalTools('t', [{ type: 'function', function: { name: '' } }])).toThrow(
      'Expected `t[0].function.name` to be a non-empty string',
    );
    expect(() =>
      check.optionalTools('t', [{ type: 'function', function: { name: 'f' } }]),
    ).not.toThrow();
  });
});
