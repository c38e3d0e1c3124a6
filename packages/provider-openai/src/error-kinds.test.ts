import type { PartialResponse, TimeoutKind } from '@x/provider-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { openAIErrorKit } from './error-kit';
import {
  type AnyOpenAIError,
  ContextOverflowError,
  isOpenAIError,
  ModelNotFoundError,
  OpenAIApiError,
  RateLimitedError,
  ServerBusyError,
} from './errors';

const OPENAI_ERRORS = openAIErrorKit('OpenAI');

const partial: PartialResponse = { content: 'x', thinking: '', chunks: 1, toolCalls: [] };

/** One error of every class a call can end with, as the request path makes them. */
const everyError = (): unknown[] => [
  new OpenAIApiError({
    statusCode: 500,
    serverMessage: 'boom',
    endpoint: '/chat',
    retryable: true,
  }),
  new RateLimitedError({ serverMessage: 'slow down', endpoint: '/chat' }),
  new ModelNotFoundError({ model: 'm', serverMessage: 'not found', endpoint: '/chat' }),
  new ServerBusyError({ statusCode: 503, serverMessage: 'busy', endpoint: '/chat' }),
  new ContextOverflowError({ model: 'm', source: 'server', serverMessage: 'too long' }),
  OPENAI_ERRORS.stream({ reason: 'server-error', serverMessage: 'oops', partial }),
  OPENAI_ERRORS.incomplete({ partial }),
  OPENAI_ERRORS.timeout({ timeout: 'idle', timeoutMs: 5, retryable: false }),
  OPENAI_ERRORS.connection({ origin: 'http://127.0.0.1:1', causeCode: 'ECONNREFUSED' }),
  OPENAI_ERRORS.protocol({ origin: 'http://127.0.0.1:1', causeCode: 'HPE_INVALID_CONSTANT' }),
  OPENAI_ERRORS.closed(),
  OPENAI_ERRORS.circuitOpen({ retryAfterMs: 10, cause: new Error('open') }),
  OPENAI_ERRORS.localLimit({ message: 'full', retryAfterMs: undefined, cause: new Error('full') }),
  OPENAI_ERRORS.credentials({ message: 'getApiKey() failed (Error)', cause: { name: 'Error' } }),
];

/** What a caller reads after `switch (e.kind)`: each branch compiles only if it narrowed. */
function describeError(e: AnyOpenAIError): string {
  switch (e.kind) {
    case 'api':
      // a 429 is an `api` error too, with its own code
      expectTypeOf(e.code).toEqualTypeOf<
        'X_PROVIDER_OPENAI_API' | 'X_PROVIDER_OPENAI_RATE_LIMITED'
      >();
      return `api ${e.statusCode} ${e.type}`;
    case 'model-not-found':
      expectTypeOf(e).toEqualTypeOf<ModelNotFoundError>();
      return `model-not-found ${e.model}`;
    case 'server-busy':
      return `server-busy ${e.statusCode}`;
    case 'context-overflow':
      return `context-overflow ${e.source}`;
    case 'stream':
      return `stream ${e.reason} ${e.partial.chunks}`;
    case 'incomplete-stream':
      return `incomplete-stream ${e.partial.chunks}`;
    case 'timeout':
      expectTypeOf(e.timeout).toEqualTypeOf<TimeoutKind>();
      return `timeout ${e.timeout}`;
    case 'connection':
      return `connection ${e.causeCode}`;
    case 'protocol':
      return `protocol ${e.causeCode}`;
    case 'closed':
      return `closed ${e.destroyed}`;
    case 'circuit-open':
      return `circuit-open ${e.retryAfterMs}`;
    case 'local-limit':
      return `local-limit ${e.retryable}`;
    case 'credentials':
      return `credentials ${e.retryable}`;
    default:
      // every kind is handled: nothing is left for the default branch
      expectTypeOf(e).toBeNever();
      return 'unreachable';
  }
}

describe('isOpenAIError narrows on kind', () => {
  it('gives each kind its own fields, and the runtime kind and code match the class', () => {
    const read = everyError().map((e) => (isOpenAIError(e) ? describeError(e) : 'not ours'));
    expect(read).toEqual([
      'api 500 undefined',
      'api 429 undefined',
      'model-not-found m',
      'server-busy 503',
      'context-overflow server',
      'stream server-error 1',
      'incomplete-stream 1',
      'timeout idle',
      'connection ECONNREFUSED',
      'protocol HPE_INVALID_CONSTANT',
      'closed false',
      'circuit-open 10',
      'local-limit true',
      'credentials true',
    ]);
  });

  it('has one kind per code, as the types declare', () => {
    const pairs = everyError().map((e) => (isOpenAIError(e) ? `${e.kind} ${e.code}` : ''));
    expect(pairs).toEqual([
      'api X_PROVIDER_OPENAI_API',
      'api X_PROVIDER_OPENAI_RATE_LIMITED',
      'model-not-found X_PROVIDER_OPENAI_MODEL_NOT_FOUND',
      'server-busy X_PROVIDER_OPENAI_SERVER_BUSY',
      'context-overflow X_PROVIDER_OPENAI_CONTEXT_OVERFLOW',
      'stream X_PROVIDER_OPENAI_STREAM',
      'incomplete-stream X_PROVIDER_OPENAI_INCOMPLETE_STREAM',
      'timeout X_PROVIDER_OPENAI_TIMEOUT',
      'connection X_PROVIDER_OPENAI_CONNECTION',
      'protocol X_PROVIDER_OPENAI_PROTOCOL',
      'closed X_PROVIDER_OPENAI_CLOSED',
      'circuit-open X_PROVIDER_OPENAI_CIRCUIT_OPEN',
      'local-limit X_PROVIDER_OPENAI_LOCAL_LIMIT',
      'credentials X_PROVIDER_OPENAI_CREDENTIALS',
    ]);
  });
});
