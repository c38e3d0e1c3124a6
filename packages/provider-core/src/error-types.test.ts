import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AnyProviderError,
  type AttemptInit,
  type Attributes,
  type AuditBase,
  type CacheInput,
  type ContextInput,
  ContextOverflowError,
  type CoreConfig,
  type HistogramLike,
  isProviderError,
  isProviderErrorOfKind,
  type Json,
  type MeterLike,
  type PieceDefaults,
  type PlainCallInit,
  ProviderApiError,
  type ProviderErrorByKind,
  type ProviderErrorKind,
  type ProviderErrorOfKind,
  ProviderTimeoutError,
  type RequestBody,
  type SpanLike,
  type TimeoutKind,
  type TracerLike,
} from './index';

const origin = { provider: 'demo', label: 'Demo' };

/** One error of three kinds, as a caller catches them: typed `unknown`. */
const caught = (): unknown[] => [
  new ProviderTimeoutError({ origin, timeout: 'idle', timeoutMs: 5, retryable: false }),
  new ContextOverflowError({
    origin,
    model: 'm',
    source: 'estimate',
    promptTokens: 10,
    contextWindow: 8,
  }),
  new ProviderApiError({
    origin,
    kind: 'model-not-found',
    endpoint: '/chat',
    statusCode: 404,
    serverMessage: 'no such model',
    retryable: false,
  }),
];

/** Type-level: checked by `tsc` (`pnpm typecheck`); each line compiles only if the guard narrowed. */
describe('error guards narrow to the class of the kind', () => {
  it('isProviderErrorOfKind gives that class and its fields', () => {
    const read = caught().map((e) => {
      if (isProviderErrorOfKind(e, 'timeout')) {
        expectTypeOf(e).toEqualTypeOf<ProviderErrorOfKind<'timeout'>>();
        // a RouterError of kind 'timeout' has no timeoutMs: the type says so
        expectTypeOf(e.timeoutMs).toEqualTypeOf<number | undefined>();
        if (e instanceof ProviderTimeoutError) expectTypeOf(e.timeoutMs).toEqualTypeOf<number>();
        return `${e.timeout} ${e.timeoutMs}`;
      }
      if (isProviderErrorOfKind(e, 'context-overflow')) return `overflow by ${e.overflowBy}`;
      if (isProviderErrorOfKind(e, 'model-not-found')) {
        expectTypeOf(e.kind).toEqualTypeOf<'model-not-found'>();
        return `${e.kind} ${e.statusCode}`;
      }
      return 'other';
    });
    expect(read).toEqual(['idle 5', 'overflow by 2', 'model-not-found 404']);
  });

  it('isProviderError then a check of kind gives the same fields', () => {
    const read = caught().map((e) => {
      if (!isProviderError(e)) return 'not a provider error';
      if (e.kind === 'timeout') {
        expectTypeOf(e.timeout).toEqualTypeOf<TimeoutKind | undefined>();
        return `${e.timeoutMs}`;
      }
      if (e.kind === 'context-overflow') return `${e.overflowBy} ${e.source}`;
      expectTypeOf(e.kind).toEqualTypeOf<
        Exclude<ProviderErrorKind, 'timeout' | 'context-overflow'>
      >();
      return e.code;
    });
    expect(read).toEqual(['5', '2 estimate', 'X_PROVIDER_DEMO_API']);
  });

  it('has one class for every kind, each with that kind', () => {
    expectTypeOf<keyof ProviderErrorByKind>().toEqualTypeOf<ProviderErrorKind>();
    expectTypeOf<AnyProviderError['kind']>().toEqualTypeOf<ProviderErrorKind>();
    expectTypeOf<ProviderErrorByKind['server-busy']['kind']>().toEqualTypeOf<'server-busy'>();
    expectTypeOf<ProviderErrorByKind['closed']>().toHaveProperty('destroyed');
  });
});

describe('the types public types name', () => {
  it('can be named from the entry point, and config takes a planner without any', () => {
    expectTypeOf<Attributes>().toExtend<Record<string, unknown>>();
    expectTypeOf<TracerLike['startSpan']>().returns.toEqualTypeOf<SpanLike>();
    expectTypeOf<MeterLike['createHistogram']>().returns.toEqualTypeOf<HistogramLike>();
    expectTypeOf<PieceDefaults>().toHaveProperty('requestsPerSecond');
    expectTypeOf<CacheInput<{ model: string }>>().toBeObject();
    expectTypeOf<ContextInput<{ model: string }>>().toBeObject();
    expectTypeOf<PlainCallInit['method']>().toEqualTypeOf<AttemptInit['method']>();
    expectTypeOf<string>().toExtend<RequestBody>();
    expectTypeOf<Json>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<AuditBase>().toEqualTypeOf<{ provider: string; time: number }>();
    // `any` would let every call through; the planner's request is `unknown` to the core
    type Planner = NonNullable<CoreConfig['planner']>;
    expectTypeOf<Parameters<Planner['requested']>[0]>().toBeUnknown();
    expect(isProviderError(new Error('x'))).toBe(false);
  });
});
