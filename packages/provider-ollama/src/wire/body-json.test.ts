import { describe, expect, it } from 'vitest';
import type { ChatRequest, GenerateRequest } from '../types';
import { chatBodyJson, generateBodyJson, toChatBody, toGenerateBody } from './body';

/** Each request's body text is `JSON.stringify` of its body object, streamed or not. */
function expectSameText<R>(
  requests: readonly R[],
  text: (request: R, stream: boolean, numCtx: number | undefined) => string,
  object: (request: R, stream: boolean, numCtx: number | undefined) => unknown,
): void {
  for (const request of requests) {
    for (const [stream, numCtx] of [
      [true, undefined],
      [false, 4096],
    ] as const) {
      expect(text(request, stream, numCtx)).toBe(JSON.stringify(object(request, stream, numCtx)));
    }
  }
}

describe('chatBodyJson', () => {
  const tools = [
    {
      type: 'function' as const,
      function: { name: 'f', description: 'a "tool"', parameters: { type: 'object' } },
    },
  ];
  /** Requests using every field the chat body has, and strings each escape rule applies to. */
  const requests: ChatRequest[] = [
    { model: 'llama3.2', messages: [] },
    {
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'You are a concise assistant.' },
        { role: 'user', content: 'Say "hi"\n\ttwice \\ \u0001 é 😀 \ud800' },
      ],
    },
    {
      model: 'qwen3:8b',
      messages: [
        { role: 'user', content: 'look', images: [new Uint8Array([1, 2, 3]), 'AAAA'] },
        {
          role: 'assistant',
          content: '',
          thinking: 'hmm',
          toolCalls: [{ id: 'c1', index: 0, name: 'f', arguments: { a: 1 } }],
        },
        { role: 'tool', content: '21C', toolName: 'f', toolCallId: 'c1' },
        { role: 'tool', content: '22C', toolCallId: 'c1' },
        { role: 'user', content: 'own fields', id: 'msg-1' } as ChatRequest['messages'][number],
      ],
      format: { type: 'object', properties: { a: { type: 'string' } } },
      options: { mirostat: 2, num_ctx: 1024, 'odd "key"': [1, 'x'] },
      temperature: 0.2,
      topP: 0.5,
      topK: 20,
      seed: 42,
      maxTokens: 64,
      stop: ['\n', 'User:'],
      keepAlive: '10m',
      tools,
      think: 'high',
      truncate: false,
      shift: true,
      logprobs: true,
      topLogprobs: 3,
    },
    {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      format: 'json',
      numCtx: 8192,
      keepAlive: 0,
      think: false,
      tools: [],
    },
  ];

  it('is the JSON text of toChatBody: the same keys in the same order', () => {
    expectSameText(requests, chatBodyJson, toChatBody);
  });

  it('writes a message whose keys come in another order as the same JSON', () => {
    const request = { model: 'm', messages: [{ content: 'hi', role: 'user' as const }] };
    expect(JSON.parse(chatBodyJson(request, false, undefined))).toEqual(
      toChatBody(request, false, undefined),
    );
  });
});

describe('generateBodyJson', () => {
  const requests: GenerateRequest[] = [
    { model: 'llama3.2', prompt: 'Why is the sky "blue"?\n' },
    { model: 'llama3.2' } as GenerateRequest,
    {
      model: 'codellama:7b-code',
      prompt: 'def fib(n):',
      suffix: '    return result',
      system: 'You write Python.',
      template: '{{ .Prompt }}',
      raw: true,
      images: [new Uint8Array([1, 2, 3]), 'data:image/png;base64,iVBORw0KGgo='],
      context: [1, 2, 3],
      format: { type: 'object' },
      options: { mirostat: 2 },
      temperature: 0,
      maxTokens: 32,
      stop: 'END',
      keepAlive: '5m',
      think: true,
      truncate: true,
      shift: false,
      logprobs: true,
      topLogprobs: 2,
    },
  ];

  it('is the JSON text of toGenerateBody: the same keys in the same order', () => {
    expectSameText(requests, generateBodyJson, toGenerateBody);
  });
});
