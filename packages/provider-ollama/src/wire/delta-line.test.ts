import { createRandom } from '@x/internal';
import { jsonHostileText } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { ChatAccumulator } from './chat-accumulator';
import { readDeltaLine } from './delta-line';

const at = '2026-08-24T09:15:02.368321167Z';
const chatLine = (content: string, model = 'llama3.2') =>
  JSON.stringify({ model, created_at: at, message: { role: 'assistant', content }, done: false });
const generateLine = (response: string) =>
  JSON.stringify({ model: 'llama3.2', created_at: at, response, done: false });

/** Go's encoder writes `<`, `>` and `&` as \u003c, \u003e and \u0026. */
const goEscaped = (line: string) =>
  line.replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026');

describe('readDeltaLine', () => {
  it('reads what JSON.parse reads from a text-delta line, escapes included', () => {
    const random = createRandom(7);
    for (let i = 0; i < 2000; i++) {
      const text = jsonHostileText(random);
      for (const line of [chatLine(text), goEscaped(chatLine(text)), generateLine(text)]) {
        expect(readDeltaLine(line), line).toEqual({ model: 'llama3.2', content: text });
      }
    }
  });

  it('reads the lines of the recorded Ollama exchanges', () => {
    expect(readDeltaLine(chatLine(' sky'))).toEqual({ model: 'llama3.2', content: ' sky' });
    expect(readDeltaLine(generateLine('\n'))).toEqual({ model: 'llama3.2', content: '\n' });
  });

  it.each([
    [
      'the final line',
      JSON.stringify({
        model: 'm',
        created_at: at,
        message: { role: 'assistant', content: '' },
        done: true,
      }),
    ],
    [
      'thinking',
      JSON.stringify({
        model: 'm',
        created_at: at,
        message: { role: 'assistant', content: '', thinking: 'hm' },
        done: false,
      }),
    ],
    [
      'tool calls',
      JSON.stringify({
        model: 'm',
        created_at: at,
        message: { role: 'assistant', content: '', tool_calls: [] },
        done: false,
      }),
    ],
    [
      'log probabilities',
      JSON.stringify({
        model: 'm',
        created_at: at,
        message: { role: 'assistant', content: 'a' },
        done: false,
        logprobs: [],
      }),
    ],
    [
      'another key order',
      JSON.stringify({
        created_at: at,
        model: 'm',
        message: { role: 'assistant', content: 'a' },
        done: false,
      }),
    ],
    [
      'an escape in the model name',
      JSON.stringify({
        model: 'm\n',
        created_at: at,
        message: { role: 'assistant', content: 'a' },
        done: false,
      }),
    ],
    [
      'a raw quote in the text',
      '{"model":"m","created_at":"t","message":{"role":"assistant","content":"a"b"},"done":false}',
    ],
    [
      'a raw newline in the text',
      '{"model":"m","created_at":"t","message":{"role":"assistant","content":"a\nb"},"done":false}',
    ],
    [
      'an invalid escape',
      '{"model":"m","created_at":"t","message":{"role":"assistant","content":"a\\qb"},"done":false}',
    ],
    [
      'a short \\u escape',
      '{"model":"m","created_at":"t","message":{"role":"assistant","content":"\\u12"},"done":false}',
    ],
    [
      'a dangling backslash',
      '{"model":"m","created_at":"t","message":{"role":"assistant","content":"a\\"},"done":false}',
    ],
    ['trailing text', `${chatLine('a')} `],
    ['a truncated line', chatLine('a').slice(0, -1)],
    ['an error line', '{"error":"model not found"}'],
    ['a line over 2 KiB', chatLine('x'.repeat(4096))],
  ])('leaves %s to JSON.parse', (_, line) => {
    expect(readDeltaLine(line)).toBeUndefined();
  });
});

describe('ChatAccumulator with text-delta lines', () => {
  it('folds them exactly as it folds the parsed objects', () => {
    const random = createRandom(11);
    const lines = Array.from({ length: 200 }, () => chatLine(jsonHostileText(random)));
    const final = JSON.stringify({
      model: 'llama3.2',
      created_at: at,
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 3,
      eval_count: 200,
    });
    const read = new ChatAccumulator();
    const parsed = new ChatAccumulator();
    const chunks = lines.map((line) => read.addLine(line));
    const objects = lines.map((line) => parsed.addObject(JSON.parse(line)));
    read.addLine(final);
    parsed.addObject(JSON.parse(final));
    expect(chunks).toEqual(objects);
    expect(read.build()).toEqual(parsed.build());
  });
});
