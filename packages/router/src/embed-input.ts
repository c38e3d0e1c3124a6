import { fail, optionalBoolean, quoted } from '@x/internal';
import type { Deployment } from './deployment';
import type { RoutableProvider } from './types';

/**
 * True when an embedding `input` holds token ids (`number[]`, `number[][]`) rather than text. Its
 * first item decides, as `@x/provider-openai` reads it: an array mixing both is refused by the
 * provider that receives it, and one that starts with a number never reaches a text-only one.
 * A first item that is `undefined` (a hole: `[, 'a']`) is neither, and refused by its index: read
 * as token ids, it was refused as text no deployment takes.
 */
export function isTokenIds(input: unknown): boolean {
  if (!Array.isArray(input) || input.length === 0) return false;
  const first: unknown = input[0];
  if (first === undefined) {
    fail('request.input[0]', 'a string (or token ids), not a hole or `undefined`', first);
  }
  return typeof first !== 'string';
}

/**
 * The default of a deployment's `embedTokenIds`: what its provider says of itself. First its
 * `embeddingInput.tokenIds` (the rules of `@x/provider-openai`'s presets, where a provider exposes
 * them: the only way to know a preset of your own, whose name says nothing, or one that `extends:
 * 'ollama'`); then its `preset`: `@x/provider-openai`'s providers send token ids as given, but
 * Ollama's OpenAI layer answers them with a 400 (`invalid input type`). `@x/provider-ollama`
 * refuses them, and any other provider is not assumed to take them: ids sent where they are not
 * understood, or to a model with another tokenizer, would be embedded as other tokens, without
 * any error.
 * @throws {TypeError} for an `embeddingInput` that is not `{ tokenIds?: boolean }`, naming `at`.
 */
export function takesTokenIdsByDefault(provider: RoutableProvider, at: string): boolean {
  const rules: unknown = provider.embeddingInput;
  if (rules !== undefined) {
    if (typeof rules !== 'object' || rules === null) {
      fail(`${at}.embeddingInput`, 'an object (`{ tokenIds?: boolean }`)', rules);
    }
    const said = optionalBoolean(
      `${at}.embeddingInput.tokenIds`,
      (rules as { tokenIds?: unknown }).tokenIds,
    );
    if (said !== undefined) return said;
  }
  const preset = provider.preset;
  return typeof preset === 'string' && preset !== 'ollama';
}

/**
 * Refuses an embedding call with token ids before anything is sent when no deployment it can
 * reach (`reachable`: its group's, its fallbacks', with its tags) takes them, or when those that
 * do serve more than one model: ids are one tokenizer's, and a fallback to another model would
 * embed other tokens, without any error.
 */
export function checkTokenIds(
  input: unknown,
  group: string,
  reachable: readonly Deployment[],
): void {
  const takers = reachable.filter((d) => d.supports('embed') && d.embedTokenIds);
  if (takers.length === 0) {
    fail(
      'request.input',
      `text: no deployment of ${quoted(group)} or its fallbacks takes token ids (\`embedTokenIds\`)`,
      input,
    );
  }
  const models = [...new Set(takers.map((d) => d.model))];
  if (models.length > 1) {
    const names = models.map((m) => quoted(m)).join(', ');
    fail(
      'request.input',
      `text, or token ids of one model: the deployments of ${quoted(group)} and its fallbacks that take them serve ${names} (keep one with \`tags\`)`,
      input,
      true,
    );
  }
}
