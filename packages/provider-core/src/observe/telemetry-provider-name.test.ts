// `gen_ai.provider.name` carries the GenAI conventions' well-known value of a provider whose id is
// spelled otherwise (the `gemini` and `mistral` presets of provider-openai); every other id goes
// as it is, and the provider's own name (`x.provider.name`) is left alone.
import { afterEach, describe, expect, it } from 'vitest';
import { providersOf, sdk as sdkOf } from '../__fixtures__/otel-sdk';
import { createTelemetry } from './telemetry-option';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** The attributes of the span of one call of a provider whose id is `id`. */
function spanOf(id: string) {
  const otel = sdkOf(cleanup);
  const init = { id, name: id, origin: 'http://127.0.0.1:1', redact: (t: string) => t };
  const telemetry = createTelemetry(providersOf(otel), init)!;
  telemetry
    .start('chat', 'm', {}, false)!
    .succeeded(
      { usage: { promptTokens: 1, completionTokens: 1 }, timings: {} },
      { model: 'm', finishReason: undefined },
    );
  return otel.spans()[0]!.attributes;
}

describe('gen_ai.provider.name', () => {
  it.each([
    ['gemini', 'gcp.gemini'],
    ['mistral', 'mistral_ai'],
    ['openai', 'openai'],
    ['groq', 'groq'],
    ['deepseek', 'deepseek'],
    ['perplexity', 'perplexity'],
    ['ollama', 'ollama'],
    ['vllm', 'vllm'],
    // an own property only: an id named after Object.prototype's members is an id like any
    ['constructor', 'constructor'],
  ])('of the id %s is %s (also as gen_ai.system), x.provider.name stays the id', (id, value) => {
    const attributes = spanOf(id);
    expect(attributes['gen_ai.provider.name']).toBe(value);
    expect(attributes['gen_ai.system']).toBe(value);
    expect(attributes['x.provider.name']).toBe(id);
  });
});
