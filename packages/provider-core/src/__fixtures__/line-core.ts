import {
  type Accumulator,
  type BaseChatRequest,
  type BaseChatResponse,
  chatResponse,
  createErrorKit,
  EMPTY_PARTIAL,
  mapHttpStatus,
  type Operation,
  ProviderCore,
  type StreamChunk,
  type WireMessage,
} from '../index';

/**
 * A minimal provider on the core for the HTTP tests: POST /reply answers NDJSON `{ delta }` lines,
 * then `{ done: true }`. Every piece is off unless a test turns it on.
 */
class Lines implements Accumulator<StreamChunk, BaseChatResponse> {
  text = '';
  chunks = 0;
  done = false;
  add({ data }: WireMessage): undefined {
    const line = JSON.parse(data) as { delta?: string; done?: boolean };
    this.chunks++;
    if (line.done === true) this.done = true;
    else this.text += line.delta ?? '';
    return undefined;
  }
  addWhole(body: string): void {
    this.text = body;
    this.done = true;
  }
  partial() {
    return { ...EMPTY_PARTIAL, content: this.text, chunks: this.chunks };
  }
  build() {
    return chatResponse({ content: this.text, model: 'm' });
  }
}

/** Read as an NDJSON stream: the first-token deadline applies, so every attempt has a signal. */
export const streamed: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/reply',
  checksContext: false,
  stream: { framing: 'ndjson', accept: 'application/x-ndjson' },
  model: (request) => request.model,
  body: (request) => ({ model: request.model }),
  accumulator: () => new Lines(),
};

const origin = { provider: 'demo', label: 'Demo' };
export const ask: BaseChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

/** Every core made, for the test's `afterEach` to close. */
export const cores: ProviderCore[] = [];

export function lineCore(
  url: string,
  options: ConstructorParameters<typeof ProviderCore>[0]['options'],
): ProviderCore {
  const created = new ProviderCore({
    identity: { id: 'demo', label: 'Demo', pkg: 'provider-demo', tokens: 'openai' },
    baseUrl: url,
    options: {
      cache: false,
      tokens: false,
      breaker: false,
      rateLimit: false,
      retry: false,
      ...options,
    },
    kit: createErrorKit(origin),
    httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 100, breaker: {} },
  });
  cores.push(created);
  return created;
}
