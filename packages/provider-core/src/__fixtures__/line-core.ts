import {
  type BaseChatRequest,
  type BaseChatResponse,
  createErrorKit,
  mapHttpStatus,
  type Operation,
  ProviderCore,
} from '../index';
import { Answer } from './observed';

// A minimal provider on the core for the HTTP tests: POST /reply answers NDJSON `{ delta }` lines,
// then `{ done: true }`. Every piece is off unless a test turns it on.

/** Read as an NDJSON stream: the first-token deadline applies, so every attempt has a signal. */
export const streamed: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/reply',
  checksContext: false,
  stream: { framing: 'ndjson', accept: 'application/x-ndjson' },
  model: (request) => request.model,
  body: (request) => ({ model: request.model, messages: request.messages }),
  accumulator: () => new Answer(),
};

const origin = { provider: 'demo', label: 'Demo' };
export const ask: BaseChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

/** Every core made, for the test's `afterEach` to close. */
export const cores: ProviderCore[] = [];

type CoreInit = ConstructorParameters<typeof ProviderCore>[0];

export function lineCore(
  url: string,
  options: CoreInit['options'],
  hooks: Pick<CoreInit, 'onExchange'> = {},
): ProviderCore {
  const created = new ProviderCore({
    ...hooks,
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
