import { describe, expect, it } from 'vitest';
import * as check from './validate';

// Input a loose check let through to be sent: holes of sparse arrays (skipped by `every` and
// `forEach`, sent by JSON as null), values with no JSON form, a schema that is not an object,
// model names holding control characters.

const fn = (parameters: unknown) => [{ type: 'function', function: { name: 'f', parameters } }];

describe('sparse arrays', () => {
  it('refuses a hole in `stop` as undefined at its index', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    expect(() => check.optionalStop('request.stop', ['a', , 'b'])).toThrow(
      new TypeError('Expected `request.stop[1]` to be a string, got `undefined` (undefined)'),
    );
    expect(() => check.optionalStop('request.stop', ['a', 'b'])).not.toThrow();
  });

  it('refuses a hole in `toolCalls` and in `tools` as undefined at its index', () => {
    const call = { name: 'f', arguments: {} };
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    expect(() => check.optionalToolCalls('m.toolCalls', [, call])).toThrow(
      /^Expected `m\.toolCalls\[0\]` to be an object .*, got `undefined` \(undefined\)$/,
    );
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    expect(() => check.optionalTools('request.tools', [, ...fn(undefined)])).toThrow(
      /^Expected `request\.tools\[0\]` to be .*, got `undefined` \(undefined\)$/,
    );
  });
});

describe('values with no JSON form', () => {
  it('names the path of a cycle, a BigInt or a function in tool parameters', () => {
    const parameters: Record<string, unknown> = { type: 'object', properties: {} };
    (parameters.properties as Record<string, unknown>).a = { self: parameters };
    expect(() => check.optionalTools('tools', fn(parameters))).toThrow(
      /^Expected `tools\[0\]\.function\.parameters\.properties\.a\.self` to be a JSON value .*cycle back to `tools\[0\]\.function\.parameters`$/,
    );
    expect(() => check.optionalTools('tools', fn({ properties: { a: { max: 2n } } }))).toThrow(
      new TypeError(
        'Expected `tools[0].function.parameters.properties.a.max` to be a JSON value (it is sent as JSON), got `2n` (bigint)',
      ),
    );
    expect(() => check.optionalTools('tools', fn({ x: () => 1 }))).toThrow(
      '`tools[0].function.parameters.x`',
    );
  });

  it('names the path of a value with no JSON form in a tool call`s arguments', () => {
    const args: Record<string, unknown> = {};
    args.me = args;
    expect(() =>
      check.optionalToolCalls('messages[1].toolCalls', [{ name: 'f', arguments: args }]),
    ).toThrow('`messages[1].toolCalls[0].arguments.me` to be a JSON value');
    expect(() =>
      check.optionalToolCalls('m', [{ name: 'f', arguments: { n: 1n, at: new Date(0) } }]),
    ).toThrow('`m[0].arguments.n`');
    expect(() =>
      check.optionalToolCalls('m', [{ name: 'f', arguments: { at: new Date(0) } }]),
    ).not.toThrow();
  });
});

describe('tool parameters', () => {
  it('must be a JSON Schema object: a string, an array or null is refused', () => {
    for (const bad of ['{"type":"object"}', [], null, 5]) {
      expect(() => check.optionalTools('tools', fn(bad))).toThrow(
        /^Expected `tools\[0\]\.function\.parameters` to be a JSON Schema object, got /,
      );
    }
    expect(() => check.optionalTools('tools', fn({ type: 'object' }))).not.toThrow();
    expect(() => check.optionalTools('tools', fn(undefined))).not.toThrow();
  });

  it('refuses a description that is not a string', () => {
    const tools = [{ type: 'function', function: { name: 'f', description: 5 } }];
    expect(() => check.optionalTools('tools', tools)).toThrow(
      'Expected `tools[0].function.description` to be a string, got `5` (number)',
    );
  });
});

describe('model names', () => {
  it('refuses control characters and surrounding whitespace with a RangeError naming the field', () => {
    for (const bad of [
      'llama\u0000',
      'a\nb',
      'a\rb',
      'a\tb',
      ' llama3',
      'llama3 ',
      'llama3\n',
      'a\u007fb',
    ]) {
      expect(() => check.expectModelName('request.model', bad, 'm1')).toThrow(RangeError);
      expect(() => check.expectModelName('request.model', bad, 'm1')).toThrow(
        'Expected `request.model` to be a model name without control characters',
      );
      // The request path runs it on every call's model, whatever the provider checked.
      expect(() => check.expectModelLabel('request.model', bad)).toThrow(RangeError);
    }
    for (const good of ['llama3.2:latest', 'org/model name', 'hf.co/a/b:Q4_K_M', 'modèle']) {
      expect(() => check.expectModelName('request.model', good, 'm1')).not.toThrow();
    }
  });
});

describe('tool names', () => {
  const tool = (name: string) => ({ type: 'function', function: { name } });
  // A tool of another kind, as OpenAI's custom tools are: its name under its type.
  const custom = (tool: unknown) => (tool as { type?: unknown }).type === 'custom';

  it('refuses a name two tools have, naming the second and the first one', () => {
    const tools = [tool('f'), tool('g'), tool('f')];
    expect(() => check.optionalTools('request.tools', tools)).toThrow(
      new RangeError(
        'Expected `request.tools[2].function.name` to be a name no other tool has (`request.tools[0]` has it too, and a tool call names the tool it calls), got `"f"` (string)',
      ),
    );
    expect(() => check.optionalTools('request.tools', [tool('f'), tool('g')])).not.toThrow();
  });

  it('compares the names of the kinds `other` takes too', () => {
    const tools = [tool('f'), { type: 'custom', custom: { name: 'f' } }];
    expect(() => check.optionalTools('request.tools', tools, custom)).toThrow(
      /^Expected `request\.tools\[1\]\.custom\.name` to be a name no other tool has \(`request\.tools\[0\]` has it too/,
    );
  });
});
