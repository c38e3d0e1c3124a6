import { describe, expect, it } from 'vitest';
import { jsonChatMessage, jsonMessage, jsonObject, jsonQuote, jsonValue } from './json-write';

/** Strings each escape rule of JSON.stringify applies to, and some it does not. */
const STRINGS = [
  '',
  'llama3.2',
  'Say hello to user number 1.',
  'a "quoted" word',
  'back\\slash',
  'line\nbreak\r\ttab',
  '\u0000\u0001\u001f controls',
  '\u007f delete is not escaped',
  'é, ß, 日本語, emoji 😀 (a pair)',
  'lone high \ud800 surrogate',
  'lone low \udc00 surrogate',
  'reversed pair \udc00\ud800',
  '\u2028 and \u2029 are not escaped',
  '</script> and / are not escaped',
];

describe('jsonQuote', () => {
  it('writes what JSON.stringify writes, for every escape rule', () => {
    for (const text of STRINGS) expect(jsonQuote(text)).toBe(JSON.stringify(text));
  });

  it('writes what JSON.stringify writes for every single UTF-16 code unit', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const text = `a${String.fromCharCode(code)}b`;
      if (jsonQuote(text) !== JSON.stringify(text)) {
        throw new Error(`differs at U+${code.toString(16).padStart(4, '0')}`);
      }
    }
  });
});

describe('jsonValue', () => {
  it('writes strings, numbers and booleans as JSON.stringify does', () => {
    const values = [
      ...STRINGS,
      0,
      -0,
      1,
      -1.5,
      0.1 + 0.2,
      1e21,
      1e-7,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_VALUE,
      true,
      false,
    ];
    for (const value of values) expect(jsonValue(value)).toBe(JSON.stringify(value));
  });

  it('writes null for the numbers JSON has no form for, as JSON.stringify does', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(jsonValue(value)).toBe('null');
    }
  });

  it('hands objects, arrays and null to JSON.stringify', () => {
    const values = [null, [1, 'a', null], { a: { b: [true] } }, { toJSON: () => 'custom' }];
    for (const value of values) expect(jsonValue(value)).toBe(JSON.stringify(value));
  });
});

describe('jsonObject', () => {
  it("writes an object's keys in order, as JSON.stringify does", () => {
    const object = {
      temperature: 0.2,
      num_ctx: 8192,
      stop: ['\n', 'User:'],
      'odd "key"': 'value',
      nested: { a: 1 },
      flag: false,
    };
    expect(jsonObject(object)).toBe(JSON.stringify(object));
  });

  it('leaves out what JSON.stringify leaves out of an object', () => {
    const object = { a: 1, skipped: undefined, fn: () => 1, sym: Symbol('s'), b: 'x' };
    expect(jsonObject(object)).toBe(JSON.stringify(object));
    expect(jsonObject({})).toBe('{}');
    expect(jsonObject({ only: undefined })).toBe('{}');
  });

  it('writes a messages array as JSON.stringify does, and ends with the tail given', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { content: 'other order', role: 'user' },
        { role: 'assistant', content: null, tool_calls: [] },
      ],
    };
    expect(jsonObject(body)).toBe(JSON.stringify(body));
    expect(jsonObject(body, ',"stream":true')).toBe(JSON.stringify({ ...body, stream: true }));
    expect(jsonObject({}, ',"stream":true')).toBe('{"stream":true}');
  });
});

describe('jsonMessage', () => {
  it('writes a message as JSON.stringify does, whatever its role, fields and key order', () => {
    const messages = [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'Say "hi"\n' },
      { role: 'assistant', content: '' },
      { role: 'tool', content: '21C' },
      { role: 'developer', content: 'a role it has no constant for' },
      { role: 'we"ird', content: 'a role that needs an escape' },
      { content: 'keys in another order', role: 'user' },
      { role: 'user', content: [{ type: 'text', text: 'parts' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] },
      { role: 'user', content: 'x', name: 'ann' },
      { role: 'user' },
      {},
    ];
    for (const message of messages) expect(jsonMessage(message)).toBe(JSON.stringify(message));
  });
});

describe('jsonChatMessage', () => {
  it('writes { role, content } as JSON.stringify does', () => {
    for (const role of ['system', 'user', 'assistant', 'tool', 'developer', 'we"ird']) {
      for (const content of STRINGS) {
        expect(jsonChatMessage(role, content)).toBe(JSON.stringify({ role, content }));
      }
    }
  });
});
