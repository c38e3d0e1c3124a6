import { describe, expect, expectTypeOf, it } from 'vitest';
import { OLLAMA_ERRORS } from './error-kit';
import {
  type AnyOllamaApiError,
  type AnyOllamaError,
  type ChatResponse,
  type FinishReason,
  type GenerateResponse,
  isOllamaApiError,
  ModelNotFoundError,
  OllamaApiError,
  type OllamaApiErrorCode,
  OllamaError,
  type OllamaProvider,
  type OllamaTimeoutError,
  ServerBusyError,
  type Signal,
} from './index';

/** Errors as a caller catches them: typed `unknown`. */
const caught = (): unknown[] => [
  OLLAMA_ERRORS.timeout({ timeout: 'firstToken', timeoutMs: 7, retryable: true }),
  new ModelNotFoundError({ model: 'llama3.2', serverMessage: 'not found', endpoint: '/api/chat' }),
  new ServerBusyError({ serverMessage: 'busy', endpoint: '/api/chat', retryAfterMs: 50 }),
  new OllamaApiError({
    statusCode: 500,
    serverMessage: 'x',
    endpoint: '/api/chat',
    retryable: true,
  }),
  new Error('not ours'),
];

/** A user's own subclass: `instanceof` it must narrow to it, not to the package's union. */
class HostError extends OllamaError {
  readonly host: string;
  constructor(host: string) {
    super(`${host} is down`, 'X_PROVIDER_OLLAMA_CONNECTION', true);
    this.host = host;
  }
}

/** Type-level: checked by `tsc` (`pnpm typecheck`); each line compiles only if the check narrowed. */
describe('instanceof OllamaError narrows like isOllamaError', () => {
  it("reads the class's fields after a check of kind", () => {
    const read = caught().map((e) => {
      if (!(e instanceof OllamaError)) return 'other';
      expectTypeOf(e).toEqualTypeOf<AnyOllamaError>();
      if (e.kind === 'model-not-found') {
        expectTypeOf(e).toEqualTypeOf<ModelNotFoundError>();
        return e.model;
      }
      if (e.kind === 'timeout') {
        expectTypeOf(e).toEqualTypeOf<OllamaTimeoutError>();
        // @ts-expect-error a timeout has no model
        e.model;
        return `${e.timeout} ${e.timeoutMs}`;
      }
      if (e.kind === 'api') {
        expectTypeOf(e.code).toEqualTypeOf<'X_PROVIDER_OLLAMA_API'>();
        return `${e.statusCode}`;
      }
      return e.code;
    });
    expect(read).toEqual([
      'firstToken 7',
      'llama3.2',
      'X_PROVIDER_OLLAMA_SERVER_BUSY',
      '500',
      'other',
    ]);
  });

  it('narrows a subclass of OllamaError to that subclass, by its prototype', () => {
    const errors: unknown[] = [new HostError('gpu-1'), ...caught()];
    const hosts = errors.map((e) => {
      if (!(e instanceof HostError)) return undefined;
      expectTypeOf(e).toEqualTypeOf<HostError>();
      return e.host;
    });
    expect(hosts).toEqual(['gpu-1', undefined, undefined, undefined, undefined, undefined]);
    expect(errors.map((e) => e instanceof OllamaError)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('isOllamaApiError narrows to the API classes, on kind', () => {
    const read = caught().map((e) => {
      if (!isOllamaApiError(e)) return 'other';
      expectTypeOf(e).toEqualTypeOf<AnyOllamaApiError>();
      expectTypeOf(e.code).toEqualTypeOf<OllamaApiErrorCode>();
      if (e.kind === 'model-not-found') return `${e.statusCode} ${e.model}`;
      if (e.kind === 'server-busy') {
        expectTypeOf(e).toEqualTypeOf<ServerBusyError>();
        return `${e.statusCode} ${e.retryAfterMs}`;
      }
      // @ts-expect-error only a ModelNotFoundError has a model
      e.model;
      return `${e.statusCode} ${e.code}`;
    });
    expect(read).toEqual(['other', '404 llama3.2', '503 50', '500 X_PROVIDER_OLLAMA_API', 'other']);
  });
});

describe('the types public types name', () => {
  it('types finishReason with the FinishReason it exports', () => {
    expectTypeOf<ChatResponse['finishReason']>().toEqualTypeOf<FinishReason | undefined>();
    expectTypeOf<GenerateResponse['finishReason']>().toEqualTypeOf<FinishReason | undefined>();
    const answer = { finishReason: 'length' } as Pick<ChatResponse, 'finishReason'>;
    const reason: FinishReason | undefined = answer.finishReason;
    expect(reason).toBe('length');
  });

  it('can name the options of the metadata calls and the API error codes', () => {
    expectTypeOf<Signal>().toEqualTypeOf<{ signal?: AbortSignal | undefined }>();
    expectTypeOf<Parameters<OllamaProvider['listModels']>[0]>().toEqualTypeOf<Signal | undefined>();
    expectTypeOf<OllamaApiErrorCode>().toEqualTypeOf<
      | 'X_PROVIDER_OLLAMA_API'
      | 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND'
      | 'X_PROVIDER_OLLAMA_SERVER_BUSY'
    >();
    expectTypeOf<OllamaApiError['code']>().toEqualTypeOf<OllamaApiErrorCode>();
  });
});
