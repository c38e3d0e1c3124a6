import { isProviderError, isProviderErrorOfKind } from '@x/provider-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { openAIErrorKit } from './error-kit';
import {
  isOpenAIApiError,
  ModelNotFoundError,
  type OpenAIApiErrorCode,
  type OpenAIApiErrorInit,
  OpenAIError,
  type OpenAIStreamErrorInit,
  type OpenAITimeoutError,
  RateLimitedError,
  type RequestFields,
} from './index';

const OPENAI_ERRORS = openAIErrorKit('OpenAI');

/** Errors as a caller catches them: typed `unknown`. */
const caught = (): unknown[] => [
  OPENAI_ERRORS.timeout({ timeout: 'firstToken', timeoutMs: 7, retryable: true }),
  new RateLimitedError({ serverMessage: 'slow down', endpoint: '/chat/completions' }),
  OPENAI_ERRORS.contextOverflow({
    model: 'm',
    source: 'estimate',
    promptTokens: 9,
    contextWindow: 8,
  }),
  new Error('not ours'),
];

/** Type-level: checked by `tsc` (`pnpm typecheck`); each line compiles only if the check narrowed. */
describe('instanceof OpenAIError narrows like isOpenAIError', () => {
  it("reads the class's fields after a check of kind", () => {
    const read = caught().map((e) => {
      if (!(e instanceof OpenAIError)) return 'other';
      if (e.kind === 'timeout') {
        expectTypeOf(e).toEqualTypeOf<OpenAITimeoutError>();
        return `${e.timeout} ${e.timeoutMs}`;
      }
      if (e.kind === 'api') return `${e.statusCode} ${e.code}`;
      if (e.kind === 'context-overflow') return `${e.overflowBy}`;
      return e.code;
    });
    expect(read).toEqual(['firstToken 7', '429 X_PROVIDER_OPENAI_RATE_LIMITED', '1', 'other']);
  });

  it("core's guards give an OpenAI error the fields of its kind", () => {
    const [timeout] = caught();
    expect(isProviderErrorOfKind(timeout, 'timeout') && timeout.timeoutMs).toBe(7);
    expect(isProviderError(timeout) && timeout.kind === 'timeout' && timeout.timeout).toBe(
      'firstToken',
    );
  });

  it('names the types of its constructors and its requestFields', () => {
    expectTypeOf<OpenAIApiErrorCode>().toEqualTypeOf<
      | 'X_PROVIDER_OPENAI_API'
      | 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND'
      | 'X_PROVIDER_OPENAI_RATE_LIMITED'
      | 'X_PROVIDER_OPENAI_SERVER_BUSY'
    >();
    expectTypeOf<OpenAIApiErrorInit['code']>().toEqualTypeOf<OpenAIApiErrorCode | undefined>();
    expectTypeOf<OpenAIStreamErrorInit['reason']>().toEqualTypeOf<
      'server-error' | 'line-too-long' | 'invalid-json' | 'too-large'
    >();
    expectTypeOf<RequestFields['chat']>().toEqualTypeOf<ReadonlySet<string>>();
  });

  it("a user's subclass is checked, and narrows, by its prototype, not the package brand", () => {
    class Mine extends OpenAIError {
      readonly mine = true;
    }
    const [timeout] = caught();
    expect(timeout instanceof OpenAIError).toBe(true);
    expect(timeout instanceof Mine).toBe(false);
    const own: unknown = new Mine('mine');
    expect(own instanceof Mine).toBe(true);
    if (own instanceof Mine) expectTypeOf(own).toEqualTypeOf<Mine>();
  });

  it('isOpenAIApiError narrows to its classes on kind', () => {
    const error: unknown = new ModelNotFoundError({
      model: 'gpt-x',
      serverMessage: 'no such model',
      endpoint: '/chat/completions',
    });
    const model = isOpenAIApiError(error) && error.kind === 'model-not-found' ? error.model : '';
    expect(model).toBe('gpt-x');
  });
});
