import { expectKnownKeys, fail, isPlainObject, optionError } from '@x/internal';
import {
  loadOtelApi,
  type MeterProviderLike,
  type OtelApi,
  type TracerProviderLike,
} from './otel-api';
import { Telemetry } from './telemetry';

/** Where spans and GenAI metrics go. Each defaults to the provider registered with `@opentelemetry/api`. */
export interface TelemetryOptions {
  /** A tracer provider (the SDK's `BasicTracerProvider`, `NodeTracerProvider`...). */
  tracerProvider?: TracerProviderLike | undefined;
  /** A meter provider (the SDK's `MeterProvider`). */
  meterProvider?: MeterProviderLike | undefined;
}

/** Validates the `telemetry` option: `false`, or `{ tracerProvider?, meterProvider? }`. */
export function resolveTelemetryOption(value: unknown): TelemetryOptions | false {
  if (value === undefined) return {};
  if (value === false) return false;
  if (!isPlainObject(value)) {
    fail('telemetry', '`{ tracerProvider?, meterProvider? }` or false', value);
  }
  expectKnownKeys('telemetry', value, ['tracerProvider', 'meterProvider']);
  const { tracerProvider, meterProvider } = value as TelemetryOptions;
  if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== 'function') {
    fail('telemetry.tracerProvider', 'a tracer provider (with getTracer)', tracerProvider);
  }
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') {
    fail('telemetry.meterProvider', 'a meter provider (with getMeter)', meterProvider);
  }
  return { tracerProvider, meterProvider };
}

/**
 * The telemetry of a provider: `undefined` (nothing recorded, nothing loaded) when the option is
 * `false` or `@opentelemetry/api` is not installed. A tracer or meter provider given explicitly
 * without the API to drive it is an argument error: the user asked for telemetry, and would
 * otherwise get none without a word (with pnpm, the API an SDK brings is not visible to us).
 */
export function createTelemetry(
  option: TelemetryOptions | false,
  init: { id: string; name: string; origin: string; redact: (text: string) => string },
  load: () => OtelApi | null = loadOtelApi,
): Telemetry | undefined {
  if (option === false) return undefined;
  const api = load();
  if (api !== null) return new Telemetry(api, option, init);
  for (const given of ['tracerProvider', 'meterProvider'] as const) {
    if (option[given] !== undefined) {
      throw optionError([
        '`',
        `telemetry.${given}`,
        '` needs `@opentelemetry/api` (>=1.7 <2), which could not be loaded: add it to your own dependencies (with pnpm, the copy an OpenTelemetry SDK brings is not visible to other packages)',
      ]);
    }
  }
  return undefined;
}
