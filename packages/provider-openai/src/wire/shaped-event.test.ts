import { createRandom } from '@x/internal';
import { jsonHostileText } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { ChatAccumulator } from './chat-accumulator';
import { readEventMeta, readShapedEvent } from './shaped-event';

interface Shape {
  role?: boolean;
  serviceTier?: boolean;
  logprobsNull?: boolean;
  usageNull?: boolean;
  obfuscation?: boolean;
}

const ID = {
  id: 'chatcmpl-574',
  object: 'chat.completion.chunk',
  created: 1741569952,
  model: 'gpt-4o-mini',
};

/** An event as OpenAI (every optional field) or Ollama's /v1 (none) writes it. */
function event(delta: Record<string, unknown>, finish: string | null, shape: Shape = {}): string {
  const out: Record<string, unknown> = { ...ID };
  if (shape.serviceTier) out.service_tier = 'default';
  out.system_fingerprint = 'fp_ollama';
  const choice: Record<string, unknown> = { index: 0, delta };
  if (shape.logprobsNull) choice.logprobs = null;
  choice.finish_reason = finish;
  out.choices = [choice];
  if (shape.usageNull) out.usage = null;
  if (shape.obfuscation) out.obfuscation = 'aB3';
  return JSON.stringify(out);
}
const text = (content: string, shape: Shape = {}) =>
  event(shape.role ? { role: 'assistant', content } : { content }, null, shape);
const usageEvent = (fields: Record<string, unknown>) =>
  JSON.stringify({ ...ID, system_fingerprint: 'fp_ollama', choices: [], usage: fields });

const shapes: Shape[] = [
  {},
  { role: true },
  { serviceTier: true, logprobsNull: true },
  { serviceTier: true, logprobsNull: true, usageNull: true, obfuscation: true },
];

describe('readShapedEvent', () => {
  it('reads what JSON.parse reads from a text event, in every shape', () => {
    const random = createRandom(5);
    for (let i = 0; i < 1000; i++) {
      const content = jsonHostileText(random);
      for (const shape of shapes) {
        const data = text(content, shape);
        expect(readShapedEvent(data), data).toEqual({
          content,
          finish: undefined,
          usage: undefined,
        });
        expect(readEventMeta(data)).toStrictEqual({
          id: 'chatcmpl-574',
          created: 1741569952,
          model: 'gpt-4o-mini',
          serviceTier: shape.serviceTier ? 'default' : undefined,
          fingerprint: 'fp_ollama',
        });
      }
    }
  });

  it('reads the finish and the usage event', () => {
    for (const shape of shapes) {
      expect(readShapedEvent(event({}, 'stop', shape))).toEqual({
        content: '',
        finish: 'stop',
        usage: undefined,
      });
    }
    expect(
      readShapedEvent(text('end', {}).replace('"finish_reason":null', '"finish_reason":"length"')),
    ).toEqual({
      content: 'end',
      finish: 'length',
      usage: undefined,
    });
    const usage = { prompt_tokens: 9, completion_tokens: 16, total_tokens: 25 };
    expect(readShapedEvent(usageEvent(usage))).toEqual({ content: '', finish: undefined, usage });
  });

  const replaced = (from: string, to: string) =>
    text('a', { logprobsNull: true }).replace(from, to);
  it.each([
    ['a second choice', replaced('"index":0', '"index":1')],
    ['log probabilities', replaced('"logprobs":null', '"logprobs":{"content":[]}')],
    ['reasoning', replaced('"content":"a"', '"content":"a","reasoning":"hm"')],
    ['a role alone', replaced('"content":"a"', '"role":"assistant"')],
    ['a refusal', replaced('"content":"a"', '"refusal":"no"')],
    ['tool calls', replaced('"content":"a"', '"content":null,"tool_calls":[]')],
    [
      'a null fingerprint',
      replaced('"system_fingerprint":"fp_ollama"', '"system_fingerprint":null'),
    ],
    ['a fractional timestamp', replaced('1741569952', '1741569952.5')],
    ['a leading zero', replaced('1741569952', '01741569952')],
    ['an escape in the id', replaced('chatcmpl-574', 'chatcmpl\\n574')],
    [
      'an escape in the finish reason',
      replaced('"finish_reason":null', '"finish_reason":"st\\nop"'),
    ],
    [
      'usage details',
      usageEvent({
        prompt_tokens: 9,
        completion_tokens: 16,
        total_tokens: 25,
        prompt_tokens_details: { cached_tokens: 0 },
      }),
    ],
    [
      'a fractional count',
      usageEvent({ prompt_tokens: 9.5, completion_tokens: 16, total_tokens: 25 }),
    ],
    [
      'usage with choices',
      replaced('"finish_reason":null}]', '"finish_reason":null}],"usage":{"prompt_tokens":1}'),
    ],
    ['an error', '{"error":{"message":"overloaded"}}'],
    ['a raw quote', replaced('"content":"a"', '"content":"a"b"')],
    ['trailing text', `${text('a')} `],
    ['an event over 2 KiB', text('x'.repeat(4096))],
  ])('leaves %s to JSON.parse', (_, data) => {
    expect(readShapedEvent(data)).toBeUndefined();
  });
});

describe('ChatAccumulator with shaped events', () => {
  it('folds them exactly as it folds the same events parsed', () => {
    const random = createRandom(3);
    const events = [
      text('', { role: true }),
      ...Array.from({ length: 50 }, () => text(jsonHostileText(random), shapes[2])),
      // Parsed in both: reasoning, and no fingerprint (the one before it stays).
      JSON.stringify({
        ...ID,
        id: 'chatcmpl-575',
        created: 1741569953,
        choices: [{ index: 0, delta: { reasoning: 'hm' }, finish_reason: null }],
      }),
      ...Array.from({ length: 50 }, () => text(jsonHostileText(random), shapes[3])),
      event({}, 'stop'),
      usageEvent({ prompt_tokens: 12, completion_tokens: 100, total_tokens: 112 }),
    ];
    const fast = new ChatAccumulator((t) => t, 'OpenAI');
    // A trailing space keeps the same JSON out of the expressions' reach: every event is parsed.
    const parsed = new ChatAccumulator((t) => t, 'OpenAI');
    const fastChunks = events.map((data) => fast.add({ data }));
    const parsedChunks = events.map((data) => parsed.add({ data: `${data} ` }));
    expect(fastChunks).toEqual(parsedChunks);
    expect(fast.done).toBe(true);
    expect(fast.build()).toEqual(parsed.build());
    expect(fast.build()).toMatchObject({
      id: 'chatcmpl-574',
      systemFingerprint: 'fp_ollama',
      finishReason: 'stop',
    });
  });

  it('keeps the identity of the last event when the last one read by its shape came before a parsed one', () => {
    const fast = new ChatAccumulator((t) => t, 'OpenAI');
    fast.add({ data: text('a') });
    fast.add({
      data: JSON.stringify({
        ...ID,
        id: 'chatcmpl-9',
        choices: [
          { index: 0, delta: { content: 'b' }, finish_reason: 'stop', logprobs: { content: [] } },
        ],
      }),
    });
    fast.add({ data: '[DONE]' });
    expect(fast.build()).toMatchObject({
      id: 'chatcmpl-9',
      systemFingerprint: 'fp_ollama',
      content: 'ab',
    });
  });
});
