import { fail, quoted } from '@x/internal';
import { OPENAI_ONLY_FIELDS, refuseOpenAIOnlyFields } from './openai-only-fields';
import type { OpenAIPreset, OpenAIPresetName, RefusedField } from './presets';
import type { ChatRequest, EmbedRequest } from './types';
import { fileDataType, imageDataType, imageOf, recordingsOf } from './wire/content-parts';

// What a preset's server refuses of a request that is well formed (`validate.ts` checked it):
// refused here, before anything is sent, naming the field and the server, rather than by the
// server with a 4xx, or silently. A field the server takes in no form (Groq's `logitBias`), or a
// form it does not read at all (token ids where it embeds text), is a TypeError, as a field the
// request type lacks would be; a value of a field it takes that it refuses (an empty text, a GIF,
// `logprobs: false` beside `topLogprobs`) is a RangeError.

/** Each refusable field: how to find it in a request, and its name on the wire. */
const REFUSABLE: Record<RefusedField, { set: (r: ChatRequest) => boolean; wire: string }> = {
  logprobs: { set: (r) => r.logprobs !== undefined, wire: 'logprobs' },
  topLogprobs: { set: (r) => r.topLogprobs !== undefined, wire: 'top_logprobs' },
  logitBias: { set: (r) => r.logitBias !== undefined, wire: 'logit_bias' },
  user: { set: (r) => r.user !== undefined, wire: 'user' },
  verbosity: { set: (r) => r.verbosity !== undefined, wire: 'verbosity' },
  safetyIdentifier: { set: (r) => r.safetyIdentifier !== undefined, wire: 'safety_identifier' },
  // A tool result's `name` is Mistral's own field (its ToolMessage), and no other preset refuses it.
  'messages[].name': {
    set: (r) => r.messages.some((m) => m.name !== undefined && m.role !== 'tool'),
    wire: 'messages[].name',
  },
  'messages[].images': {
    set: (r) => r.messages.some((m) => nonEmpty(m.images)),
    wire: 'image_url',
  },
  'messages[].audio': {
    set: (r) => r.messages.some((m) => recordingsOf(m).length > 0),
    wire: 'input_audio',
  },
  'messages[].files': { set: (r) => r.messages.some((m) => nonEmpty(m.files)), wire: 'file' },
};

/** Every field a preset may refuse (`refusedFields`). */
export const REFUSED_FIELDS = Object.keys(REFUSABLE) as readonly RefusedField[];

/** A list that sends something: an empty one is no part at all. */
function nonEmpty(list: readonly unknown[] | undefined): boolean {
  return list !== undefined && list.length > 0;
}

/** A value of one field that a family's server has no use for, and what it does with it. */
interface ValueRule {
  /** The field, as `ChatRequest` names it. */
  readonly field: keyof ChatRequest & string;
  /** True when the request sends a value the server does not honour. */
  readonly refused: (r: ChatRequest) => boolean;
  /** Every value is refused: the field is left out of `requestFields`. */
  readonly always: boolean;
  /** What the server does instead, after `<label> `. */
  readonly does: string;
  /** What to do instead, after `: `. */
  readonly instead: string;
}

const IGNORES = (wire: string, effect: string) =>
  `ignores \`${wire}\` (its \`/v1\` has no such field and drops it without an error: ${effect})`;

/**
 * A `serviceTier` other than `'auto'` where the server has no tiers (Ollama's and vLLM's `/v1`):
 * `'flex'` would be served as any other request is, with nothing to say so.
 */
const IGNORED_TIER: ValueRule = {
  field: 'serviceTier',
  refused: (r) => r.serviceTier !== undefined && r.serviceTier !== 'auto',
  always: false,
  does: IGNORES('service_tier', 'every request is served alike, at no other tier'),
  instead: 'leave it out or set "auto" for this preset',
};

/**
 * The values a built-in preset's server (and a preset of your own that extends it) does not honour
 * although its fields are well formed: Ollama's `/v1` has no `tool_choice`, `parallel_tool_calls`,
 * `logit_bias` or `verbosity` (ChatCompletionRequest in ollama/ollama openai/openai.go; unknown fields are
 * dropped), so a forced tool call comes back as text with finish reason `stop`; neither it nor
 * vLLM's has a `service_tier` (vLLM's ChatCompletionRequest, entrypoints/openai: an unknown field
 * is only logged as ignored), so no tier but `'auto'`, the one every request gets, is taken. Mistral
 * takes only `'auto'` of OpenAI's service tiers (`RequestedServiceTier`: `auto`, `standard_only`;
 * any other a 422). `tool_choice` and `parallel_tool_calls` are sent only with tools: without,
 * there is nothing to refuse.
 */
const VALUE_RULES: Partial<Record<OpenAIPresetName, readonly ValueRule[]>> = {
  ollama: [
    {
      field: 'toolChoice',
      refused: (r) => nonEmpty(r.tools) && r.toolChoice !== undefined && r.toolChoice !== 'auto',
      always: false,
      does: IGNORES(
        'tool_choice',
        'the model chooses as with "auto", a forced call may come back as text',
      ),
      instead: 'leave it out or set "auto" for this preset',
    },
    {
      field: 'parallelToolCalls',
      refused: (r) => nonEmpty(r.tools) && r.parallelToolCalls === false,
      always: false,
      does: IGNORES('parallel_tool_calls', 'the model may still call several tools at once'),
      instead: 'leave it out for this preset',
    },
    {
      field: 'logitBias',
      refused: (r) => r.logitBias !== undefined,
      always: true,
      does: IGNORES('logit_bias', 'no token is biased'),
      instead: 'leave it out for this preset',
    },
    {
      field: 'verbosity',
      refused: (r) => r.verbosity !== undefined,
      always: true,
      does: IGNORES('verbosity', 'the answer is as long as the model makes it'),
      instead: 'leave it out for this preset, or ask for the length in the prompt',
    },
    IGNORED_TIER,
  ],
  vllm: [IGNORED_TIER],
  mistral: [
    {
      field: 'serviceTier',
      refused: (r) => r.serviceTier !== undefined && r.serviceTier !== 'auto',
      always: false,
      does: 'takes only "auto" of OpenAI\'s service tiers (its API refuses the others with a 4xx)',
      instead: 'leave it out, or send its own "standard_only" in `extraBody.service_tier`',
    },
  ],
};

/**
 * The fields refused whatever their value on `preset` (of `family`): its `refusedFields`, the
 * fields its family's server ignores altogether (Ollama's `logitBias`), and OpenAI's own fields
 * (`moderation`) on any family but `openai`.
 */
export function refusedFieldsOf(
  preset: OpenAIPreset,
  family: OpenAIPresetName | undefined,
): readonly string[] {
  const rules = family === undefined ? undefined : VALUE_RULES[family];
  const ignored = rules === undefined ? [] : rules.filter((r) => r.always).map((r) => r.field);
  const openAIOnly = family === 'openai' ? [] : OPENAI_ONLY_FIELDS;
  return [...preset.refusedFields, ...ignored, ...openAIOnly];
}

/** Refuses, naming it, a value the family's server ignores or refuses ({@link VALUE_RULES}). */
function expectHonouredValues(request: ChatRequest, label: string, rules: readonly ValueRule[]) {
  for (const rule of rules) {
    if (!rule.refused(request)) continue;
    const value = request[rule.field];
    const shown = typeof value === 'string' ? ` ${quoted(value)}` : '';
    const message = `${label} ${rule.does}: \`request.${rule.field}\`${shown} is refused before sending; ${rule.instead}`;
    // Every value refused is the field refused; some values only, a value refused.
    throw rule.always ? new TypeError(message) : new RangeError(message);
  }
}

/**
 * Refuses, before anything is sent, a field the preset's server answers with a 4xx whenever it is
 * sent (Groq's `logit_bias`, Mistral's `user`), a value its family's server ignores or refuses
 * (Ollama's `tool_choice`, Ollama's, vLLM's and Mistral's `service_tier`: {@link VALUE_RULES}), an
 * image or file the server cannot decode (Ollama's GIFs and URLs), and, when requests go to
 * OpenAI's own API (`openAIServer`: `resolveConnection` decides it from the base URL), what its
 * API reference limits (more than 4 `stop` sequences, a temperature over 2, a function name it
 * refuses): the error names the field and carries `unsupportedBy: 'server'`. Then `topLogprobs` without `logprobs: true`,
 * which no server takes.
 */
export function expectAcceptedFields(
  request: ChatRequest,
  preset: OpenAIPreset,
  family: OpenAIPresetName | undefined,
  openAIServer: boolean,
): void {
  try {
    expectServerTakes(request, preset, family, openAIServer);
  } catch (error) {
    // Well formed, refused for this preset's server alone: another server may take it as it is.
    // Read by `@x/router` as a property (it depends on no provider): it tries its next deployment
    // and counts no failure against this one, as for @x/provider-ollama's ServerTooOldError.
    throw Object.assign(error as Error, { unsupportedBy: 'server' as const });
  }
  // OpenAI and vLLM answer 400 to `top_logprobs` without `logprobs`; elsewhere it would return
  // nothing: the alternatives come with each token's own log probability.
  // Left out, `logprobs` is missing (a TypeError); `false` is the right type, the wrong value.
  if (request.topLogprobs !== undefined && request.logprobs !== true) {
    fail(
      'request.logprobs',
      'true when `request.topLogprobs` is set',
      request.logprobs,
      typeof request.logprobs === 'boolean',
    );
  }
}

/** What {@link expectAcceptedFields} refuses for the preset's server alone. */
function expectServerTakes(
  request: ChatRequest,
  preset: OpenAIPreset,
  family: OpenAIPresetName | undefined,
  openAIServer: boolean,
): void {
  for (const field of preset.refusedFields) {
    const { set, wire } = REFUSABLE[field];
    if (!set(request)) continue;
    throw new TypeError(
      `${preset.label} does not accept \`request.${field}\` (its API refuses \`${wire}\` with a 4xx): leave it out for this preset`,
    );
  }
  const rules = family === undefined ? undefined : VALUE_RULES[family];
  if (rules !== undefined) expectHonouredValues(request, preset.label, rules);
  if (family !== 'openai') refuseOpenAIOnlyFields(request, preset.label);
  if (openAIServer) expectOpenAILimits(request, preset.label);
  if (preset.imageTypes !== undefined) expectImageTypes(request, preset, preset.imageTypes);
  if (preset.fileTypes !== undefined) expectFileTypes(request, preset, preset.fileTypes);
}

/** A function name OpenAI takes: a-z, A-Z, 0-9, `_` and `-`, at most 64 (all ASCII: units are characters). */
const OPENAI_FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The limits OpenAI's API reference gives that other servers do not have (vLLM and Ollama take
 * more stop sequences, a temperature over 2, any function name and a tool message without a call
 * id): a tool message has its `tool_call_id`, `stop` holds up to 4 sequences (`StopConfiguration`,
 * `maxItems: 4`), `temperature` is at most 2, a function's name a-z, A-Z, 0-9, `_` and `-`, at
 * most 64 characters (`FunctionObject.name`, openai-node's `FunctionDefinition.name`). Only where requests go to
 * OpenAI's API: a gateway the `openai` preset points at (LiteLLM, OpenRouter) takes more, and
 * names such as `github.create_issue` for the models it routes to.
 */
function expectOpenAILimits(request: ChatRequest, label: string): void {
  const { stop, temperature, tools, messages } = request;
  // A tool result answers one call by its id: OpenAI's `ChatCompletionToolMessageParam` requires
  // `tool_call_id` (a 400 without). Ollama's and vLLM's `/v1` take one without, as a gateway may.
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role !== 'tool' || message.toolCallId !== undefined) continue;
    const what = `the id of the tool call this message answers (${label} refuses a tool message without \`tool_call_id\`)`;
    fail(`request.messages[${i}].toolCallId`, what, undefined);
  }
  if (stop !== undefined && typeof stop !== 'string' && stop.length > 4) {
    fail('request.stop', `at most 4 sequences (${label} refuses more)`, stop, true);
  }
  if (temperature !== undefined && temperature > 2) {
    fail('request.temperature', `between 0 and 2 (${label} refuses more)`, temperature, true);
  }
  if (tools === undefined) return;
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[i]!;
    if (tool.type === 'custom' || OPENAI_FUNCTION_NAME.test(tool.function.name)) continue;
    const what = `a name of a-z, A-Z, 0-9, "_" and "-", at most 64 characters (${label} refuses others)`;
    fail(`request.tools[${i}].function.name`, what, tool.function.name, true);
  }
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  'image/jpeg': 'JPEG',
  'image/jpg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
};

/** Every image of the request is a data URL of one of `types`, as the server decodes them. */
function expectImageTypes(request: ChatRequest, preset: OpenAIPreset, types: readonly string[]) {
  const { messages } = request;
  for (let i = 0; i < messages.length; i++) {
    const images = messages[i]!.images;
    if (images === undefined) continue;
    for (let j = 0; j < images.length; j++) {
      const type = imageDataType(imageOf(images[j]!));
      if (type !== undefined && types.includes(type)) continue;
      const what =
        type === undefined
          ? 'a URL (give the bytes or base64 instead)'
          : `a ${TYPE_NAMES[type] ?? `\`${type}\``} image`;
      const taken = [...new Set(types.filter((t) => t !== '').map((t) => TYPE_NAMES[t] ?? t))];
      throw new RangeError(
        `${preset.label} takes ${taken.join(', ')} images as base64 data only: \`request.messages[${i}].images[${j}]\` is ${what}`,
      );
    }
  }
}

/** Every file sent as data is of one of `types` (a `fileId` is the server's to check). */
function expectFileTypes(request: ChatRequest, preset: OpenAIPreset, types: readonly string[]) {
  const { messages } = request;
  for (let i = 0; i < messages.length; i++) {
    const files = messages[i]!.files;
    if (files === undefined) continue;
    for (let j = 0; j < files.length; j++) {
      const { data } = files[j]!;
      if (data === undefined) continue;
      const type = fileDataType(data);
      if (types.includes(type)) continue;
      const what = type === 'application/octet-stream' ? 'not one of them' : `\`${type}\``;
      throw new RangeError(
        `${preset.label} reads ${types.map((t) => `\`${t}\``).join(', ')} files only: \`request.messages[${i}].files[${j}].data\` is ${what}`,
      );
    }
  }
}

/**
 * Refuses, before anything is sent, `/embeddings` input the preset's server refuses: an empty
 * text (OpenAI), token ids (Ollama, Mistral), more items than the server takes (OpenAI's 2048),
 * and `user` where `refusedFields` holds it (Mistral's EmbeddingRequest forbids it as its chat
 * request does: a 422).
 */
export function expectEmbedInputAccepted(request: EmbedRequest, preset: OpenAIPreset): void {
  if (request.user !== undefined && preset.refusedFields.includes('user')) {
    const message = `${preset.label} does not accept \`request.user\` (its API refuses \`user\` with a 4xx): leave it out for this preset`;
    // Well formed, refused for this server alone, as the same field of a chat request is.
    throw Object.assign(new TypeError(message), { unsupportedBy: 'server' as const });
  }
  const { emptyText, tokenIds, maxItems } = preset.embeddingInput;
  const { input } = request;
  // Token ids where the server reads text only are input of another type (a TypeError); an empty
  // text or too many items, input of the right type with a wrong value (a RangeError).
  const refuse = (field: string, expected: string, range = true) => {
    const message = `${preset.label} does not accept \`${field}\`: ${expected}`;
    throw range ? new RangeError(message) : new TypeError(message);
  };
  if (typeof input === 'string') {
    if (!emptyText && input.length === 0) {
      refuse('request.input', 'an empty text (give it at least one character)');
    }
    return;
  }
  if (maxItems !== undefined && input.length > maxItems) {
    refuse('request.input', `${input.length} items (at most ${maxItems} a request)`);
  }
  if (typeof input[0] !== 'string') {
    if (!tokenIds) refuse('request.input', 'token ids (it embeds text only: give the text)', false);
    return;
  }
  if (emptyText) return;
  const texts = input as readonly string[];
  for (let i = 0; i < texts.length; i++) {
    if (texts[i]!.length === 0) {
      refuse(`request.input[${i}]`, 'an empty text (give it at least one character)');
    }
  }
}
