import { expectKnownKeys, expectOneOf, expectString, fail, isPlainObject } from '@x/internal';
import type { ChatRequest, OpenAIChatMessage } from './types';
import { recordingsOf } from './wire/content-parts';

// The request fields only OpenAI's own API has (openai-node 7.5.0's `ChatCompletionCreateParams`):
// checked for their shape on every preset, and refused before sending on any preset but `openai`
// (and presets of your own that extend it), whose servers have no such field.

/** The fields, as `ChatRequest` names them, with their wire names. */
const OPENAI_ONLY: ReadonlyArray<readonly [keyof ChatRequest & string, string, string]> = [
  ['moderation', 'moderation', 'moderated completions'],
  ['promptCacheOptions', 'prompt_cache_options', 'explicit prompt-cache breakpoints'],
];

/** The fields every preset but `openai` refuses whatever their value (`requestFields` drops them). */
export const OPENAI_ONLY_FIELDS: readonly string[] = OPENAI_ONLY.map(([field]) => field);

const MODES = ['score', 'block'] as const;

/** `moderation: { model, policy?: { input?: { mode }, output?: { mode } } }`. */
function validateModeration(moderation: unknown): void {
  const at = 'request.moderation';
  if (!isPlainObject(moderation)) fail(at, '`{ model, policy? }`', moderation);
  expectKnownKeys(at, moderation, ['model', 'policy']);
  expectString(`${at}.model`, moderation.model, true);
  const { policy } = moderation;
  if (policy === undefined) return;
  if (!isPlainObject(policy)) fail(`${at}.policy`, '`{ input?, output? }`', policy);
  expectKnownKeys(`${at}.policy`, policy, ['input', 'output']);
  for (const side of ['input', 'output'] as const) {
    const mode = policy[side];
    if (mode === undefined) continue;
    if (!isPlainObject(mode)) fail(`${at}.policy.${side}`, '`{ mode: "score" | "block" }`', mode);
    expectKnownKeys(`${at}.policy.${side}`, mode, ['mode']);
    expectOneOf(`${at}.policy.${side}.mode`, mode.mode, MODES);
  }
}

/** True for an item of a message's parts marked `cacheBreakpoint: true`. */
const marked = (item: unknown) =>
  typeof item === 'object' &&
  item !== null &&
  'cacheBreakpoint' in item &&
  item.cacheBreakpoint === true;

/** Where the first prompt-cache breakpoint of `messages` is (`request.messages[0].cacheBreakpoint`). */
function firstBreakpoint(messages: readonly OpenAIChatMessage[]): string | undefined {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const at = `request.messages[${i}]`;
    if (m.cacheBreakpoint === true) return `${at}.cacheBreakpoint`;
    const lists = [
      ['images', m.images ?? []],
      ['audio', recordingsOf(m)],
      ['files', m.files ?? []],
    ] as const;
    for (const [field, list] of lists) {
      const j = (list as readonly unknown[]).findIndex(marked);
      if (j !== -1) return `${at}.${field}[${j}].cacheBreakpoint`;
    }
  }
  return undefined;
}

/**
 * `promptCacheOptions: { mode?, ttl? }`. With `mode: 'explicit'` the server writes only the
 * request's explicit breakpoints: without any, the request would not use the prompt cache at all
 * (OpenAI's `PromptCacheOptions.mode`), which is refused rather than sent.
 */
function validatePromptCacheOptions(options: unknown, messages: readonly OpenAIChatMessage[]) {
  const at = 'request.promptCacheOptions';
  if (!isPlainObject(options)) fail(at, '`{ mode?, ttl? }`', options);
  expectKnownKeys(at, options, ['mode', 'ttl']);
  if (options.mode !== undefined) expectOneOf(`${at}.mode`, options.mode, ['implicit', 'explicit']);
  if (options.ttl !== undefined) expectOneOf(`${at}.ttl`, options.ttl, ['30m']);
  if (options.mode === 'explicit' && firstBreakpoint(messages) === undefined) {
    const what =
      '"implicit" or left out when no message or part has `cacheBreakpoint: true` ("explicit" without a breakpoint turns prompt caching off)';
    fail(`${at}.mode`, what, options.mode, true);
  }
}

/**
 * Checks the shape of the OpenAI-only fields of a request (`r` is a plain object whose messages
 * were checked).
 */
export function validateOpenAIOnlyFields(r: Record<string, unknown>): void {
  if (r.moderation !== undefined) validateModeration(r.moderation);
  const messages = r.messages as readonly OpenAIChatMessage[];
  if (r.promptCacheOptions !== undefined)
    validatePromptCacheOptions(r.promptCacheOptions, messages);
}

/**
 * Refuses an OpenAI-only field on a preset of another family (`label` its server): a field the
 * server takes in no form, a `TypeError`, as for a preset's `refusedFields`.
 */
export function refuseOpenAIOnlyFields(request: ChatRequest, label: string): void {
  const refuse = (field: string, wire: string, what: string): never => {
    throw new TypeError(
      `${label} does not accept \`${field}\` (\`${wire}\`, ${what}, is OpenAI's own: its server has no such field): leave it out for this preset`,
    );
  };
  for (const [field, wire, what] of OPENAI_ONLY) {
    if (request[field] !== undefined) refuse(`request.${field}`, wire, what);
  }
  const breakpoint = firstBreakpoint(request.messages);
  if (breakpoint !== undefined) {
    refuse(breakpoint, 'prompt_cache_breakpoint', 'an explicit prompt-cache breakpoint');
  }
}
