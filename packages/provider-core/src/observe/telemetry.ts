import type { ShownAnswer } from '../pipeline/answer-fields';
import { FirstKeys, ModelLabels, modelLabelText, OVERFLOW_MODEL } from './model-labels';
import type {
  Attributes,
  HistogramLike,
  MeterProviderLike,
  OtelApi,
  SpanLike,
  TracerLike,
  TracerProviderLike,
} from './otel-api';
import { failureCode } from './stats';
import type { TelemetryOptions } from './telemetry-option';

/**
 * Where `@opentelemetry/api` 1.x (the range this package accepts) keeps what is registered with
 * it: created by the first registration (a tracer or meter provider, a context manager, a logger).
 */
const OTEL_REGISTRY = Symbol.for('opentelemetry.js.api.1');

/** The instrumentation scope of every span and metric. */
const SCOPE = '@x/provider-core';

/** The GenAI conventions' advice for `gen_ai.client.operation.duration`, in seconds. */
const DURATION_BOUNDARIES = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/** The GenAI conventions' advice for `gen_ai.client.token.usage`. */
const TOKEN_BOUNDARIES = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** Our operation names in the conventions' words (`gen_ai.operation.name`). */
const OPERATIONS: Record<string, string> = {
  chat: 'chat',
  generate: 'text_completion',
  completion: 'text_completion',
  completions: 'text_completion',
  embed: 'embeddings',
  embeddings: 'embeddings',
};

/** Request fields read by name (every provider's request extends the shared one). */
interface SamplingFields {
  temperature?: unknown;
  topP?: unknown;
  maxTokens?: unknown;
  seed?: unknown;
}

/** The answer fields a span reads (the server-worded ones come as they may be shown). */
interface AnswerFields {
  cached?: boolean | undefined;
  attempts?: number | undefined;
  usage: { promptTokens?: number | undefined; completionTokens?: number | undefined };
  timings: { firstTokenMs?: number | undefined };
}

/**
 * The `gen_ai.provider.name` of the providers whose id the GenAI semantic conventions spell
 * otherwise (their well-known values: `gcp.gemini`, `mistral_ai`): backends read the attribute to
 * tell a provider's telemetry apart, so a known provider must carry the registry's spelling. Only
 * the attribute: the `provider` label of stats, metrics, logs and events stays the provider's id.
 * The other presets' ids (`openai`, `groq`, `deepseek`, `perplexity`) are the registry's own; the
 * rest (`ollama`, `vllm`, a preset of your own) are not in it and go as they are.
 */
const GEN_AI_PROVIDER_NAMES: Readonly<Record<string, string>> = {
  gemini: 'gcp.gemini',
  mistral: 'mistral_ai',
};

/**
 * OpenTelemetry for one provider, following the GenAI semantic conventions: a `CLIENT` span per
 * call and the `gen_ai.client.operation.duration` and `gen_ai.client.token.usage` histograms.
 * Built only when `@opentelemetry/api` is installed and `telemetry` is not `false`.
 */
export class Telemetry {
  readonly api: OtelApi;
  readonly #options: TelemetryOptions;
  readonly #id: string;
  readonly #address: string;
  readonly #port: number;
  readonly #providerName: string;
  readonly #redact: (text: string) => string;
  #tracerFrom: TracerProviderLike | undefined;
  #tracer: TracerLike | undefined;
  #meterFrom: MeterProviderLike | undefined;
  #duration: HistogramLike | undefined;
  #tokens: HistogramLike | undefined;
  #meterNoop = false;
  /** The API's no-op tracer provider: the delegate of the global proxy before any SDK registers. */
  readonly #noopTracers: unknown;
  /**
   * The `gen_ai.request.model` values of the metrics, bounded as the Prometheus `model` label is:
   * past the SDK's series limit (2,000 per metric), every later series, a legitimate one too,
   * would land in `otel.metric.overflow`.
   */
  readonly #requestModels = new ModelLabels();
  /** The (request model, `gen_ai.response.model`) pairs of the metrics, bounded the same way. */
  readonly #responsePairs = new FirstKeys();

  constructor(
    api: OtelApi,
    options: TelemetryOptions,
    init: { id: string; name: string; origin: string; redact: (text: string) => string },
  ) {
    this.api = api;
    this.#options = options;
    this.#providerName = init.name;
    this.#redact = init.redact;
    const url = new URL(init.origin);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    this.#id = Object.hasOwn(GEN_AI_PROVIDER_NAMES, init.id)
      ? GEN_AI_PROVIDER_NAMES[init.id]!
      : init.id;
    this.#address = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = port;
    const ProxyProvider = api.ProxyTracerProvider;
    this.#noopTracers =
      typeof ProxyProvider === 'function' ? new ProxyProvider().getDelegate() : undefined;
  }

  /**
   * The attributes every span and measurement of a call carries, a new object each time, written
   * as one literal: an object built by a spread and then given more keys takes V8's slow path
   * (microseconds each, several times per call).
   */
  attributes(name: string, model: string): Attributes {
    return {
      'gen_ai.operation.name': name,
      'gen_ai.provider.name': this.#id,
      // The attribute's name before semantic conventions 1.37, still read by some backends.
      'gen_ai.system': this.#id,
      'server.address': this.#address,
      'server.port': this.#port,
      'gen_ai.request.model': model,
    };
  }

  /**
   * The attributes of one measurement: {@link attributes} with the request model as a bounded
   * label, and the answer's model (already scrubbed and cut) when it has one. A server naming a
   * new model in every answer gets its first pairs through, then the overflow label: the exact
   * value stays on the span.
   */
  metricAttributes(name: string, model: string, responseModel: string | undefined): Attributes {
    const label = this.#requestModels.label(model);
    const attributes = this.attributes(name, label);
    if (responseModel !== undefined) {
      const text = modelLabelText(responseModel);
      // The request label's length first: no two pairs make one key (`a` + `bc`, `ab` + `c`).
      const pair = `${label.length}:${label}${text}`;
      attributes['gen_ai.response.model'] =
        text !== OVERFLOW_MODEL && this.#responsePairs.admits(pair) ? text : OVERFLOW_MODEL;
    }
    return attributes;
  }

  /**
   * The tracer, re-read when the global provider changes (an SDK registered after us); undefined
   * while the provider is the API's proxy with no SDK behind it. Such a tracer records nothing
   * and its span would only carry the caller's context, which stays active anyway: starting it
   * (the span, its attributes, its context) is several microseconds of every call for nothing.
   */
  #currentTracer(): TracerLike | undefined {
    const from = this.#options.tracerProvider ?? this.api.trace.getTracerProvider();
    const ProxyProvider = this.api.ProxyTracerProvider;
    if (
      this.#noopTracers !== undefined &&
      ProxyProvider !== undefined &&
      from instanceof ProxyProvider &&
      from.getDelegate() === this.#noopTracers
    ) {
      return undefined;
    }
    if (from !== this.#tracerFrom || this.#tracer === undefined) {
      this.#tracerFrom = from;
      this.#tracer = from.getTracer(SCOPE);
    }
    return this.#tracer;
  }

  /**
   * The histograms, re-created when the global meter provider changes (it has no proxy). False
   * while the meter is the API's no-op one (no SDK registered): nothing would be recorded, so the
   * attributes of a measurement are not even built.
   */
  measuring(): boolean {
    const from = this.#options.meterProvider ?? this.api.metrics.getMeterProvider();
    if (from !== this.#meterFrom || this.#duration === undefined || this.#tokens === undefined) {
      this.#meterFrom = from;
      const meter = from.getMeter(SCOPE);
      this.#meterNoop = meter === this.api.createNoopMeter?.();
      this.#duration = meter.createHistogram('gen_ai.client.operation.duration', {
        description: 'GenAI operation duration.',
        unit: 's',
        advice: { explicitBucketBoundaries: DURATION_BOUNDARIES },
      });
      this.#tokens = meter.createHistogram('gen_ai.client.token.usage', {
        description: 'Number of input and output tokens used.',
        unit: '{token}',
        advice: { explicitBucketBoundaries: TOKEN_BOUNDARIES },
      });
    }
    return !this.#meterNoop;
  }

  /**
   * Starts the span of one call (`chat llama3.2`), a child of the caller's active context.
   * Undefined when no SDK is registered at all: there is no span to start and nothing to measure.
   */
  start(
    operation: string,
    model: string,
    request: object,
    stream: boolean,
  ): CallTelemetry | undefined {
    // Nothing registered with the API at all (no SDK, no context manager): its global registry
    // does not even exist, so nothing can be recorded. One property read tells, where asking for
    // the tracer and meter providers costs a call about 1,400 instructions.
    if (
      (globalThis as Record<symbol, unknown>)[OTEL_REGISTRY] === undefined &&
      this.#options.tracerProvider === undefined &&
      this.#options.meterProvider === undefined
    ) {
      return undefined;
    }
    const name = OPERATIONS[operation] ?? operation;
    const tracer = this.#currentTracer();
    if (tracer === undefined) {
      return this.measuring() ? new CallTelemetry(this, undefined, name, model) : undefined;
    }
    const sampling = request as SamplingFields;
    const spanAttributes = this.attributes(name, model);
    spanAttributes['x.provider.name'] = this.#providerName;
    if (stream) spanAttributes['gen_ai.request.stream'] = true;
    if (typeof sampling.temperature === 'number')
      spanAttributes['gen_ai.request.temperature'] = sampling.temperature;
    if (typeof sampling.topP === 'number') spanAttributes['gen_ai.request.top_p'] = sampling.topP;
    if (typeof sampling.maxTokens === 'number')
      spanAttributes['gen_ai.request.max_tokens'] = sampling.maxTokens;
    if (typeof sampling.seed === 'number') spanAttributes['gen_ai.request.seed'] = sampling.seed;
    const span = tracer.startSpan(
      `${name} ${model}`,
      { kind: this.api.SpanKind.CLIENT, attributes: spanAttributes },
      this.api.context.active(),
    );
    return new CallTelemetry(this, span, name, model);
  }

  /**
   * Records the duration and, for a fresh answer, the tokens of one finished call; `attributes`
   * makes a new object of the call's attributes for each measurement.
   */
  record(
    seconds: number,
    attributes: () => Attributes,
    usage: { input: number | undefined; output: number | undefined } | undefined,
  ): void {
    if (!this.measuring()) return;
    this.#duration!.record(seconds, attributes());
    if (usage?.input !== undefined) {
      const input = attributes();
      input['gen_ai.token.type'] = 'input';
      this.#tokens!.record(usage.input, input);
    }
    if (usage?.output !== undefined) {
      const output = attributes();
      output['gen_ai.token.type'] = 'output';
      this.#tokens!.record(usage.output, output);
    }
  }

  redact(text: string): string {
    return this.#redact(text);
  }
}

/** The span of one call and what its metrics are recorded with. Ends once. */
export class CallTelemetry {
  readonly #telemetry: Telemetry;
  /** Undefined when no tracer records spans (no SDK): only the measurements are taken. */
  readonly #span: SpanLike | undefined;
  readonly #name: string;
  readonly #model: string;
  readonly #started = performance.now();
  #ended = false;

  constructor(telemetry: Telemetry, span: SpanLike | undefined, name: string, model: string) {
    this.#telemetry = telemetry;
    this.#span = span;
    this.#name = name;
    this.#model = model;
  }

  /** Runs `fn` with this call's span active, so HTTP spans of its attempts become its children. */
  within<T>(fn: () => T): T {
    const { api } = this.#telemetry;
    const span = this.#span;
    if (span === undefined) return fn();
    // A span started without any SDK (and no traced caller) has an invalid context: made active,
    // it would tell the attempts' spans nothing, and setting it costs a context per call.
    if (
      api.trace.isSpanContextValid !== undefined &&
      span.spanContext !== undefined &&
      !api.trace.isSpanContextValid(span.spanContext())
    ) {
      return fn();
    }
    return api.context.with(api.trace.setSpan(api.context.active(), span), fn);
  }

  /** `shown`: the answer's model and finish reason as they may be shown (`shownAnswer`). */
  succeeded(response: AnswerFields, shown: ShownAnswer): void {
    if (this.#ended) return;
    this.#ended = true;
    const { model, finishReason } = shown;
    const cached = response.cached === true;
    const input = cached ? undefined : response.usage.promptTokens;
    const output = cached ? undefined : response.usage.completionTokens;
    // A span nobody records (no SDK, or sampled out) drops its attributes: none are built.
    const recorded = this.#span;
    if (recorded !== undefined && recorded.isRecording?.() !== false) {
      const span: Attributes = {
        'gen_ai.response.model': model,
        'gen_ai.usage.input_tokens': input,
        'gen_ai.usage.output_tokens': output,
        'x.cached': cached,
        'x.attempts': response.attempts,
      };
      if (finishReason !== undefined) span['gen_ai.response.finish_reasons'] = [finishReason];
      if (response.timings.firstTokenMs !== undefined) {
        span['gen_ai.response.time_to_first_chunk'] = response.timings.firstTokenMs / 1000;
      }
      for (const [key, value] of Object.entries(span)) {
        // The SDK warns about an attribute set to undefined: unknown values are left out.
        if (value !== undefined) recorded.setAttribute(key, value);
      }
    }
    this.#span?.end();
    this.#telemetry.record(
      this.#seconds(),
      () => this.#telemetry.metricAttributes(this.#name, this.#model, model),
      { input, output },
    );
  }

  failed(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const code = failureCode(error);
    const span = this.#span;
    if (span !== undefined) {
      const message = error instanceof Error ? error.message : String(error);
      span.setAttribute('error.type', code);
      span.setStatus({
        code: this.#telemetry.api.SpanStatusCode.ERROR,
        message: this.#telemetry.redact(message),
      });
      span.end();
    }
    this.#telemetry.record(
      this.#seconds(),
      () => {
        const attributes = this.#telemetry.metricAttributes(this.#name, this.#model, undefined);
        attributes['error.type'] = code;
        return attributes;
      },
      undefined,
    );
  }

  /**
   * A call the caller cancelled (aborted, or a stream it stopped reading): the span ends marked
   * `x.cancelled`, without an error status, and no duration is recorded.
   */
  cancelled(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#span?.setAttribute('x.cancelled', true);
    this.#span?.end();
  }

  #seconds(): number {
    return (performance.now() - this.#started) / 1000;
  }
}

/** Runs `fn` under the call's span when there is one. */
export function within<T>(call: CallTelemetry | undefined, fn: () => T): T {
  return call === undefined ? fn() : call.within(fn);
}
