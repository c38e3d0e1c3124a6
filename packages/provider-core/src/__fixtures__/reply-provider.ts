import {
  type Accumulator, type BaseChatRequest, type BaseChatResponse, chatResponse, createErrorKit,
  EMPTY_PARTIAL, mapHttpStatus, type Operation, ProviderCore, type StreamChunk, type WireMessage,
} from '@x/provider-core';
// A made-up API: POST /v1/reply { model, prompt, stream } → { text, in, out }; streamed: NDJSON { delta } lines, then { done: true, in, out }.
class Reply implements Accumulator<StreamChunk, BaseChatResponse> {
  text = ''; chunks = 0; done = false; tokens = { in: 0, out: 0 };
  add({ data }: WireMessage): StreamChunk | undefined {
    const line = JSON.parse(data);
    this.chunks++;
    if (line.done) return void Object.assign(this, { done: true, tokens: line });
    this.text += line.delta;
    return { content: line.delta, thinking: undefined, toolCalls: undefined, done: false, response: undefined };
  }
  addWhole(body: string): void {
    const answer = JSON.parse(body);
    Object.assign(this, { text: answer.text, done: true, tokens: answer });
  }
  partial() { return { ...EMPTY_PARTIAL, content: this.text, chunks: this.chunks }; }
  build() {
    const { in: promptTokens, out: completionTokens } = this.tokens;
    return chatResponse({ content: this.text, model: '', promptTokens, completionTokens });
  }
}

const reply: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat', endpoint: '/v1/reply', checksContext: false,
  model: (request) => request.model,
  prompt: (request) => ({ messages: request.messages }),
  cacheKey: ({ model, messages, temperature }) => ({ model, messages, temperature }),
  body: ({ model, messages }, stream) => ({ model, prompt: messages.at(-1)?.content, stream }),
  accumulator: () => new Reply(),
  finish: (response, _prepared, request) => void (response.model = request.model),
};

export function createReplyProvider(baseUrl: string, apiKey?: string) {
  const origin = { provider: 'reply', label: 'Reply' };
  const core = new ProviderCore({
    identity: { id: 'reply', label: 'Reply', pkg: 'provider-reply', tokens: 'openai' },
    baseUrl, options: { apiKey }, kit: createErrorKit(origin), httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }), local: false,
    defaults: { requestsPerSecond: 10, breaker: {} },
  });
  return {
    complete: (request: BaseChatRequest) => core.complete(reply, request),
    stream: (request: BaseChatRequest) => core.stream(reply, { framing: 'ndjson', accept: 'application/x-ndjson' }, request),
    stats: () => core.stats(), close: () => core.close(),
  };
}
