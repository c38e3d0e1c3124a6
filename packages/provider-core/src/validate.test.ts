import { describe, expect, it } from 'vitest';
import { MAX_MODEL_NAME, OVERFLOW_MODEL } from './observe/model-labels';
import * as check from './validate';

describe('expectModelName', () => {
  it('throws a RangeError naming the example when the name is blank, a TypeError when it is not a string', () => {
    for (const blank of ['', ' ', '\t\n']) {
      expect(() => check.expectModelName('request.model', blank, 'm1')).toThrow(
        new RangeError(
          `Expected \`request.model\` to be a non-empty string (a model name such as "m1"), got \`${JSON.stringify(blank)}\` (string)`,
        ),
      );
    }
    for (const value of [undefined, null, 5, ['m1']]) {
      let error: unknown;
      try {
        check.expectModelName('request.model', value, 'm1');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(
        /^Expected `request\.model` to be a non-empty string/,
      );
    }
    expect(() => check.expectModelName('request.model', 'm1', 'm1')).not.toThrow();
  });

  it('refuses a name longer than any real one with a RangeError naming the field and the length, not the text', () => {
    // Ollama's longest valid name: host, namespace, model, tag and digest at their limits
    const ollamaLongest = `${'h'.repeat(350)}/${'n'.repeat(80)}/${'m'.repeat(80)}:${'t'.repeat(80)}@${'d'.repeat(80)}`;
    expect(ollamaLongest).toHaveLength(674);
    expect(() => check.expectModelName('request.model', ollamaLongest, 'm1')).not.toThrow();
    expect(() =>
      check.expectModelName('request.model', 'm'.repeat(MAX_MODEL_NAME), 'm1'),
    ).not.toThrow();
    expect(() =>
      check.expectModelName('request.model', 'm'.repeat(MAX_MODEL_NAME + 1), 'm1'),
    ).toThrow(
      new RangeError(
        'Expected `request.model` to be a model name of at most 1024 characters, got a string of 1025',
      ),
    );
  });

  it('refuses the overflow label, (other), and accepts a model named other', () => {
    expect(OVERFLOW_MODEL).toBe('(other)');
    expect(() => check.expectModelName('request.model', '(other)', 'm1')).toThrow(
      new RangeError(
        'Expected `request.model` to be a model name other than "(other)", the label stats and metrics give the models past the first 256, got `"(other)"` (string)',
      ),
    );
    expect(() => check.expectModelName('request.model', 'other', 'm1')).not.toThrow();
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
      new TypeError('Expected `request.stop[0]` to be a string, got `1` (number)'),
    );
    expect(() => check.optionalStop('request.stop', 1)).toThrow(
      'Expected `request.stop` to be a string or an array of strings',
    );
  });
});

describe('optionalCacheMode', () => {
  it('throws a RangeError listing the modes when the mode is unknown, a TypeError for a non-string', () => {
    expect(() => check.optionalCacheMode('request.cache', 'always')).toThrow(RangeError);
    expect(() => check.optionalCacheMode('request.cache', 'always')).toThrow(
      'Expected `request.cache` to be one of "default", "bypass", "refresh"',
    );
    expect(() => check.optionalCacheMode('request.cache', 1)).toThrow(TypeError);
    expect(() => check.optionalCacheMode('request.cache', 'bypass')).not.toThrow();
  });
});

describe('expectChatMessage', () => {
  it('throws naming a string field of ChatMessage that is not a string, for every provider', () => {
    for (const field of ['name', 'thinking', 'toolName', 'toolCallId']) {
      expect(() => check.expectChatMessage('m', { role: 'tool', content: '', [field]: 1 })).toThrow(
        `Expected \`m.${field}\` to be a string, got \`1\` (number)`,
      );
    }
    expect(() => check.optionalToolCalls('c', [{ id: 7, name: 'f', arguments: {} }])).toThrow(
      'Expected `c[0].id` to be a string',
    );
  });

  it('throws naming the field when the role, the content or a key is wrong', () => {
    expect(() => check.expectChatMessage('m', { role: 'robot', content: '' })).toThrow(
      'Expected `m.role` to be one of "system", "developer", "user", "assistant", "tool"',
    );
    expect(() => check.expectChatMessage('m', { role: 'user', content: 1 })).toThrow(
      'Expected `m.content` to be a string',
    );
    expect(() =>
      check.expectChatMessage('m', { role: 'user', content: '', x: 1 }, ['role', 'content']),
    ).toThrow(/`m\.x`/);
    expect(() => check.expectChatMessage('m', { role: 'user', content: 'hi' })).not.toThrow();
  });

  it('accepts only the fields of ChatMessage when no keys are given', () => {
    expect(() => check.expectChatMessage('m', { role: 'user', content: '', contnet: '' })).toThrow(
      new TypeError('Unknown option `m.contnet`: did you mean `m.content`?'),
    );
    const reply = {
      role: 'assistant',
      content: '',
      name: 'a',
      images: [],
      thinking: 't',
      toolCalls: [],
      toolName: 'f',
      toolCallId: 'c',
    };
    expect(() => check.expectChatMessage('m', reply)).not.toThrow();
  });
});

describe('isPlainChatMessage', () => {
  it('is true only for a plain object of a known role and a string content, nothing else', () => {
    for (const role of ['system', 'developer', 'user', 'assistant', 'tool']) {
      expect(check.isPlainChatMessage({ role, content: '' })).toBe(true);
      expect(() => check.expectChatMessage('m', { role, content: '', name: 'a' })).not.toThrow();
      expect(check.isPlainChatMessage({ content: 'hi', role })).toBe(true);
    }
    const others: unknown[] = [
      null,
      'hi',
      { role: 'robot', content: '' },
      { role: 'user', content: 1 },
      { role: 'user' },
      { role: 'user', content: '', name: 'a' },
      { role: 'user', content: '', images: undefined },
      Object.assign(Object.create(null), { role: 'user', content: '' }),
      Object.assign(Object.create({ extra: 1 }), { role: 'user', content: '' }),
      new (class Message {
        role = 'user';
        content = '';
      })(),
      Object.assign([], { role: 'user', content: '' }),
    ];
    for (const message of others) expect(check.isPlainChatMessage(message)).toBe(false);
  });

  it('is never true for a message the full check refuses', () => {
    const refused = [{ role: 'robot', content: '' }, { role: 'user', content: '', x: 1 }, []];
    for (const message of refused) {
      expect(() => check.expectChatMessage('m', message)).toThrow();
      expect(check.isPlainChatMessage(message)).toBe(false);
    }
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

  it('asks `accept` of each string image, never of bytes', () => {
    const what = { list: 'a list', item: 'base64 text or bytes' };
    const seen: string[] = [];
    const accept = (image: string) => {
      seen.push(image);
      return image !== 'bad';
    };
    expect(() => check.optionalImages('i', ['ok', new Uint8Array(1)], what, accept)).not.toThrow();
    expect(() => check.optionalImages('i', ['ok', 'bad'], what, accept)).toThrow(
      'Expected `i[1]` to be base64 text or bytes',
    );
    expect(seen).toEqual(['ok', 'ok', 'bad']);
    expect(() => check.optionalImages('i', [3], what, accept)).toThrow('Expected `i[0]`');
  });

  it('refuses a string `accept` refuses with a RangeError, an item of another type with a TypeError', () => {
    const what = { list: 'a list', item: 'base64 text or bytes' };
    const accept = (image: string) => image !== 'not base64 !!!';
    expect(() => check.optionalImages('i', ['QUJD', 'not base64 !!!'], what, accept)).toThrow(
      new RangeError('Expected `i[1]` to be base64 text or bytes, got `"not base64 !!!"` (string)'),
    );
    for (const item of [3, null, { data: 'QUJD' }, [1, 2]]) {
      expect(() => check.optionalImages('i', [item], what, accept)).toThrow(TypeError);
      expect(() => check.optionalImages('i', [item], what, accept)).not.toThrow(RangeError);
    }
    expect(() => check.optionalImages('i', 'QUJD', what, accept)).toThrow(
      new TypeError('Expected `i` to be a list, got `"QUJD"` (string)'),
    );
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

  it("accepts a reply's string `rawArguments` from any provider, and nothing else there", () => {
    const call = { name: 'f', arguments: { a: 1 }, rawArguments: '{"a":1}' };
    expect(() => check.optionalToolCalls('c', [call])).not.toThrow();
    expect(() => check.optionalToolCalls('c', [{ ...call, rawArguments: { a: 1 } }])).toThrow(
      'Expected `c[0].rawArguments` to be a string',
    );
  });

  it('throws naming an unknown key of a call, the fields of ToolCall or `knownKeys` accepted', () => {
    const call = { id: 'c1', index: 0, name: 'f', arguments: {} };
    expect(() => check.optionalToolCalls('c', [call])).not.toThrow();
    expect(() => check.optionalToolCalls('c', [{ ...call, argument: {} }])).toThrow(
      new TypeError('Unknown option `c[0].argument`: did you mean `c[0].arguments`?'),
    );
    const extra = { ...call, raw: '{}' };
    expect(() => check.optionalToolCalls('c', [extra], undefined, ['name', 'arguments'])).toThrow(
      'Unknown option `c[0].id`',
    );
    const keys = ['id', 'index', 'name', 'arguments', 'raw'];
    expect(() => check.optionalToolCalls('c', [extra], undefined, keys)).not.toThrow();
  });

  it('lets a call leave `arguments` out only where `noArguments` says it takes none', () => {
    const keys = ['name', 'arguments', 'type', 'input'];
    const custom = (call: Record<string, unknown>) => call.type === 'custom';
    const free = { type: 'custom', name: 'sql', input: 'SELECT 1' };
    expect(() => check.optionalToolCalls('c', [free], undefined, keys, custom)).not.toThrow();
    expect(() => check.optionalToolCalls('c', [free], undefined, keys)).toThrow(
      'Expected `c[0]` to be an object with `name` and object `arguments`',
    );
    for (const call of [{ name: 'f' }, { ...free, arguments: [] }]) {
      expect(() => check.optionalToolCalls('c', [call], undefined, keys, custom)).toThrow(
        'Expected `c[0]` to be an object with `name` and object `arguments`',
      );
    }
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

  it('refuses an empty name or another type string with a RangeError, a wrong type with a TypeError', () => {
    const fn = { name: 'f' };
    expect(() => check.optionalTools('t', [{ type: 'function', function: { name: '' } }])).toThrow(
      new RangeError('Expected `t[0].function.name` to be a non-empty string, got `""` (string)'),
    );
    expect(() => check.optionalTools('t', [{ type: 'fuction', function: fn }])).toThrow(
      new RangeError('Expected `t[0].type` to be "function", got `"fuction"` (string)'),
    );
    const custom = { type: 'custom', custom: { name: 'sql' } };
    expect(() => check.optionalTools('t', [custom])).toThrow(
      new RangeError('Expected `t[0].type` to be "function", got `"custom"` (string)'),
    );
    // A provider whose `other` takes more types names them.
    const other = (tool: unknown) => (tool as { type?: unknown }).type === 'custom';
    expect(() => check.optionalTools('t', [custom], other, '"function" or "custom"')).not.toThrow();
    expect(() =>
      check.optionalTools('t', [{ type: 'x', function: fn }], other, '"function" or "custom"'),
    ).toThrow(
      new RangeError('Expected `t[0].type` to be "function" or "custom", got `"x"` (string)'),
    );
    const wrongTypes: unknown[] = [
      { type: 'function', function: { name: 5 } },
      { type: 'function', function: {} },
      { type: 1, function: fn },
      { function: fn },
      { type: 'function' },
      { type: 'function', function: 'f' },
      'f',
    ];
    for (const tool of wrongTypes) {
      expect(() => check.optionalTools('t', [tool]), JSON.stringify(tool)).toThrow(TypeError);
      expect(() => check.optionalTools('t', [tool]), JSON.stringify(tool)).not.toThrow(RangeError);
    }
  });

  it('throws naming an unknown key of a tool or of its function', () => {
    const fn = { name: 'f', description: 'd', parameters: { type: 'object', anything: 1 } };
    expect(() => check.optionalTools('t', [{ type: 'function', function: fn }])).not.toThrow();
    expect(() =>
      check.optionalTools('t', [{ type: 'function', function: fn, functon: fn }]),
    ).toThrow(new TypeError('Unknown option `t[0].functon`: did you mean `t[0].function`?'));
    expect(() =>
      check.optionalTools('t', [{ type: 'function', function: { ...fn, paramters: {} } }]),
    ).toThrow('Unknown option `t[0].function.paramters`: did you mean `t[0].function.parameters`?');
  });

  it("accepts OpenAI's boolean `strict` on a function, and nothing else there", () => {
    const fn = { name: 'f', parameters: { type: 'object' }, strict: true };
    expect(() => check.optionalTools('t', [{ type: 'function', function: fn }])).not.toThrow();
    expect(() =>
      check.optionalTools('t', [{ type: 'function', function: { ...fn, strict: 'yes' } }]),
    ).toThrow('Expected `t[0].function.strict` to be a boolean');
  });
});
