import { createRandom } from '@x/internal';
import { jsonHostileText } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { ChatAccumulator } from './chat-accumulator';
import { readDeltaEvent } from './delta-event';

interface Shape {
  role?: boolean;
  serviceTier?: boolean;
  logprobsNull?: boolean;
  usageNull?: boolean;
  obfuscation?: boolean;
}

/** A text-delta event as OpenAI (every optional field) or Ollama's /v1 (none) writes it. */
function event(content: string, shape: Shape = {}): string {
  const out: Record<string, unknown> = {
    id: 'chatcmpl-574',
    object: 'chat.completion.chunk',
    created: 1741569952,
    model: 'gpt-4o-mini',
  };
  if (shape.serviceTier) out.service_tier = 'default';
  out.system_fingerprint = 'fp_ollama';
  const choice: Record<string, unknown> = {
    index: 0,
    delta: shape.role ? { role: 'assistant', content } : { content },
  };
  if (shape.logprobsNull) choice.logprobs = null;
  choice.finish_reason = null;
  out.choices = [choice];
  if (shape.usageNull) out.usage = null;
  if (shape.obfuscation) out.obfuscation = 'aB3';
  return JSON.stringify(out);
}

const shapes: Shape[] = [
  {},
  { role: true },
  { serviceTier: true, logprobsNull: true },
  { serviceTier: true, logprobsNull: true, usageNull: true, obfuscation: true },
];

describe('readDeltaEvent', () => {
  it('reads what JSON.parse reads from a text-delta event, in every shape', () => {
    const random = createRandom(5);
    for (let i = 0; i < 1000; i++) {
      const content = jsonHostileText(random);
      for (const shape of shapes) {
        const data = event(content, shape);
        expect(readDeltaEvent(data), data).toEqual({
          id: 'chatcmpl-574',
          created: 1741569952,
          model: 'gpt-4o-mini',
          fingerprint: 'fp_ollama',
          content,
        });
      }
    }
  });

  const replaced = (from: string, to: string) =>
    event('a', { logprobsNull: true }).replace(from, to);
  it.each([
    ['the finish', replaced('"finish_reason":null', '"finish_reason":"stop"')],
    ['a second choice', replaced('"index":0', '"index":1')],
    ['log probabilities', replaced('"logprobs":null', '"logprobs":{"content":[]}')],
    ['reasoning', replaced('"content":"a"', '"content":"a","reasoning":"hm"')],
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
      'the usage',
      replaced('"finish_reason":null}]', '"finish_reason":null}],"usage":{"prompt_tokens":1}'),
    ],
    ['an error', '{"error":{"message":"overloaded"}}'],
    ['a raw quote', replaced('"content":"a"', '"content":"a"b"')],
    ['trailing text', `${event('a')} `],
    ['an event over 2 KiB', event('x'.repeat(4096))],
  ])('leaves %s to JSON.parse', (_, data) => {
    expect(readDeltaEvent(data)).toBeUndefined();
  });
});

describe('ChatAccumulator with text-delta events', () => {
  it('folds them exactly as it folds the same events parsed', () => {
    const random = createRandom(3);
    const events = [
      event('', { role: true }),
      ...Array.from({ length: 100 }, () => event(jsonHostileText(random), shapes[2])),
      '{"id":"chatcmpl-574","object":"chat.completion.chunk","created":1741569953,"model":"gpt-4o-mini","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
      '{"id":"chatcmpl-574","object":"chat.completion.chunk","created":1741569953,"model":"gpt-4o-mini","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":100,"total_tokens":112}}',
    ];
    const fast = new ChatAccumulator((t) => t, 'OpenAI');
    // A trailing space keeps the same JSON out of the expression's reach: every event is parsed.
    const parsed = new ChatAccumulator((t) => t, 'OpenAI');
    const fastChunks = events.map((data) => fast.add({ data }));
    const parsedChunks = events.map((data) => parsed.add({ data: `${data} ` }));
    expect(fastChunks).toEqual(parsedChunks);
    expect(fast.done).toBe(true);
    expect(fast.build()).toEqual(parsed.build());
  });
});
