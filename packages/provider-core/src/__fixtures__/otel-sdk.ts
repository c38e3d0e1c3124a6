/** The OpenTelemetry SDK with in-memory exporters, as an app would register it, for the telemetry tests. */
import {
  AggregationTemporality,
  DataPointType,
  type HistogramMetricData,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';

/** An SDK whose providers `cleanup` shuts down. */
export function sdk(cleanup: Array<() => Promise<unknown> | unknown>) {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  });
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metrics,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanup.push(
    () => meterProvider.shutdown(),
    () => tracerProvider.shutdown(),
  );
  return {
    tracerProvider,
    meterProvider,
    spans: () => spans.getFinishedSpans(),
    /** Every histogram exported, by name. */
    async histograms(): Promise<Map<string, HistogramMetricData>> {
      await reader.forceFlush();
      const out = new Map<string, HistogramMetricData>();
      for (const resource of metrics.getMetrics()) {
        for (const scope of resource.scopeMetrics) {
          expect(scope.scope.name).toBe('@x/provider-core');
          for (const metric of scope.metrics) {
            if (metric.dataPointType === DataPointType.HISTOGRAM) {
              out.set(metric.descriptor.name, metric as HistogramMetricData);
            }
          }
        }
      }
      return out;
    },
  };
}

export type Sdk = ReturnType<typeof sdk>;

/** The `telemetry` option sending to `otel`. */
export function providersOf(otel: Sdk) {
  return { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider };
}
