import { createRequire } from 'node:module';

// The parts of `@opentelemetry/api` the core uses, written out so that no published type names
// the package: an app without it installed compiles and runs exactly as before.
//
// check-optional-types: exact. These are the API's shapes, which the core calls: its optional
// fields stay as the API declares them (`kind?: SpanKind`), or an SDK's tracer would no longer
// match them under `exactOptionalPropertyTypes`.

/** The attributes of a span or a measurement (`@opentelemetry/api`'s `Attributes`). */
export type Attributes = Record<string, string | number | boolean | string[] | undefined>;

/** The span a {@link TracerLike} starts: what the core sets on it (`@opentelemetry/api`'s `Span`). */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean | string[]): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: number): void;
  /** False for a span nobody records (no SDK, or sampled out): its attributes go nowhere. */
  isRecording?(): boolean;
  spanContext?(): unknown;
}

/** What `@opentelemetry/api`'s `Tracer` (and the SDK's) has: a span per provider call. */
export interface TracerLike {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: Attributes; startTime?: number },
    context?: unknown,
  ): SpanLike;
}

/** What `@opentelemetry/api`'s `TracerProvider` (and the SDK's) has. */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): TracerLike;
}

/** What `@opentelemetry/api`'s `Histogram` (and the SDK's) has: one value recorded at a time. */
export interface HistogramLike {
  record(value: number, attributes?: Attributes): void;
}

/** What `@opentelemetry/api`'s `Meter` (and the SDK's) has: the histograms the core records. */
export interface MeterLike {
  createHistogram(
    name: string,
    options?: {
      description?: string;
      unit?: string;
      advice?: { explicitBucketBoundaries?: number[] };
    },
  ): HistogramLike;
}

/** What `@opentelemetry/api`'s `MeterProvider` (and the SDK's) has. */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike;
}

/** The module `@opentelemetry/api`, as far as the core uses it. */
export interface OtelApi {
  trace: {
    getTracerProvider(): TracerProviderLike;
    setSpan(context: unknown, span: SpanLike): unknown;
    /** False for the invalid span context of a span started without any SDK. */
    isSpanContextValid?(spanContext: unknown): boolean;
  };
  metrics: { getMeterProvider(): MeterProviderLike };
  /** The meter every provider hands out when no SDK is registered. */
  createNoopMeter?(): unknown;
  /**
   * The class of the global tracer provider: a proxy whose delegate is the API's no-op provider
   * until an SDK registers one.
   */
  ProxyTracerProvider?: new () => TracerProviderLike & { getDelegate(): unknown };
  context: { active(): unknown; with<T>(context: unknown, fn: () => T): T };
  SpanKind: { CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

let loaded: OtelApi | null | undefined;

/**
 * `@opentelemetry/api` when the app has it installed, else `null`: loaded on first need, once per
 * process, synchronously (so the first call of a provider is traced like the others). Nothing is
 * loaded when the provider's `telemetry` option is `false`.
 */
export function loadOtelApi(): OtelApi | null {
  if (loaded === undefined) loaded = readApi(requireFromHere);
  return loaded;
}

/** `require` from this package's location (the CJS build gets `import.meta.url` from tsup's shim). */
function requireFromHere(id: string): unknown {
  return createRequire(import.meta.url)(id);
}

/** Reads the module through `require`; `null` when it is absent or not the API it should be. */
export function readApi(require: (id: string) => unknown): OtelApi | null {
  try {
    const api = require('@opentelemetry/api') as Partial<OtelApi> | undefined;
    if (
      typeof api?.trace?.getTracerProvider !== 'function' ||
      typeof api.metrics?.getMeterProvider !== 'function' ||
      typeof api.context?.with !== 'function'
    ) {
      return null;
    }
    return api as OtelApi;
  } catch {
    // Not installed: the optional peer dependency is simply not used.
    return null;
  }
}
