import type { PartialResponse, TimeoutKind } from '@x/provider-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { OLLAMA_ERRORS } from './error-kit';
import {
  type AnyOllamaError,
  ContextOverflowError,
  isOllamaError,
  ModelNotFoundError,
  OllamaApiError,
  ServerBusyError,
} from './errors';

const partial: PartialResponse = { content: 'x', thinking: '', chunks: 1, toolCalls: [] };

/** One error of every class a call can end with, as the request path makes them. */
const everyError = (): unknown[] => [
  new OllamaApiError({
    statusCode: 500,
    serverMessage: 'boom',
    endpoint: '/api/chat',
    retryable: true,
  }),
  new ModelNotFoundError({ model: 'm', serverMessage: 'not found', endpoint: '/api/show' }),
  new ServerBusyError({ serverMessage: 'busy', endpoint: '/api/chat' }),
  new ContextOverflowError({ model: 'm', source: 'server', serverMessage: 'too long' }),
  OLLAMA_ERRORS.stream({ reason: 'server-error', serverMessage: 'oops', partial }),
  OLLAMA_ERRORS.incomplete({ partial }),
  OLLAMA_ERRORS.timeout({ timeout: 'idle', timeoutMs: 5, retryable: false }),
  OLLAMA_ERRORS.connection({ origin: 'http://127.0.0.1:1', causeCode: 'ECONNREFUSED' }),
  OLLAMA_ERRORS.protocol({ origin: 'http://127.0.0.1:1', causeCode: 'HPE_INVALID_CONSTANT' }),
  OLLAMA_ERRORS.closed(),
  OLLAMA_ERRORS.circuitOpen({ retryAfterMs: 10, cause: new Error('open') }),
  OLLAMA_ERRORS.localLimit({ message: 'full', retryAfterMs: undefined, cause: new Error('full') }),
  OLLAMA_ERRORS.credentials({ message: 'getApiKey() failed (Error)', cause: { name: 'Error' } }),
];

/** What a caller reads after `switch (e.kind)`: each branch compiles only if it narrowed. */
function describeError(e: AnyOllamaError): string {
  switch (e.kind) {
    case 'api':
      expectTypeOf(e.code).toEqualTypeOf<'X_PROVIDER_OLLAMA_API'>();
      return `api ${e.statusCode}`;
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

describe('isOllamaError narrows on kind', () => {
  it('gives each kind its own fields, and the runtime kind and code match the class', () => {
    const read = everyError().map((e) => (isOllamaError(e) ? describeError(e) : 'not ours'));
    expect(read).toEqual([
      'api 500',
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
    const pairs = everyError().map((e) => (isOllamaError(e) ? `${e.kind} ${e.code}` : ''));
    expect(pairs).toEqual([
      'api X_PROVIDER_OLLAMA_API',
      'model-not-found X_PROVIDER_OLLAMA_MODEL_NOT_FOUND',
      'server-busy X_PROVIDER_OLLAMA_SERVER_BUSY',
      'context-overflow X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW',
      'stream X_PROVIDER_OLLAMA_STREAM',
      'incomplete-stream X_PROVIDER_OLLAMA_INCOMPLETE_STREAM',
      'timeout X_PROVIDER_OLLAMA_TIMEOUT',
      'connection X_PROVIDER_OLLAMA_CONNECTION',
      'protocol X_PROVIDER_OLLAMA_PROTOCOL',
      'closed X_PROVIDER_OLLAMA_CLOSED',
      'circuit-open X_PROVIDER_OLLAMA_CIRCUIT_OPEN',
      'local-limit X_PROVIDER_OLLAMA_LOCAL_LIMIT',
      'credentials X_PROVIDER_OLLAMA_CREDENTIALS',
    ]);
  });
});
