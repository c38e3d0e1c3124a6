import { fail } from '@x/internal';
import type { OpenAIPreset, RefusedField } from './presets';
import type { ChatRequest, EmbedRequest } from './types';
import { fileDataType, imageDataType, imageOf } from './wire/content-parts';

// What a preset's server refuses of a request that is well formed (`validate.ts` checked it):
// refused here, before anything is sent, with a TypeError naming the field and the server, rather
// than by the server with a 4xx, or silently.

/** Each refusable field: how to find it in a request, and its name on the wire. */
const REFUSABLE: Record<RefusedField, { set: (r: ChatRequest) => boolean; wire: string }> = {
  logprobs: { set: (r) => r.logprobs !== undefined, wire: 'logprobs' },
  topLogprobs: { set: (r) => r.topLogprobs !== undefined, wire: 'top_logprobs' },
  logitBias: { set: (r) => r.logitBias !== undefined, wire: 'logit_bias' },
  user: { set: (r) => r.user !== undefined, wire: 'user' },
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
    set: (r) => r.messages.some((m) => nonEmpty(m.audio)),
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

/**
 * Refuses, before anything is sent, a field the preset's server answers with a 4xx whenever it is
 * sent (Groq's `logit_bias`, Mistral's `user`), `topLogprobs` without `logprobs: true`, and an
 * image the server cannot decode (Ollama's GIFs and URLs): the error names the field.
 */
export function expectAcceptedFields(request: ChatRequest, preset: OpenAIPreset): void {
  for (const field of preset.refusedFields) {
    const { set, wire } = REFUSABLE[field];
    if (!set(request)) continue;
    throw new TypeError(
      `${preset.label} does not accept \`request.${field}\` (its API refuses \`${wire}\` with a 4xx): leave it out for this preset`,
    );
  }
  // OpenAI and vLLM answer 400 to `top_logprobs` without `logprobs`; elsewhere it would return
  // nothing: the alternatives come with each token's own log probability.
  if (request.topLogprobs !== undefined && request.logprobs !== true) {
    fail('request.logprobs', 'true when `request.topLogprobs` is set', request.logprobs);
  }
  if (preset.imageTypes !== undefined) expectImageTypes(request, preset, preset.imageTypes);
  if (preset.fileTypes !== undefined) expectFileTypes(request, preset, preset.fileTypes);
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
      throw new TypeError(
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
      throw new TypeError(
        `${preset.label} reads ${types.map((t) => `\`${t}\``).join(', ')} files only: \`request.messages[${i}].files[${j}].data\` is ${what}`,
      );
    }
  }
}

/**
 * Refuses, before anything is sent, `/embeddings` input the preset's server refuses: an empty
 * text (OpenAI, Ollama), token ids (Ollama), more items than the server takes (OpenAI's 2048).
 */
export function expectEmbedInputAccepted(request: EmbedRequest, preset: OpenAIPreset): void {
  const { emptyText, tokenIds, maxItems } = preset.embeddingInput;
  const { input } = request;
  const refuse = (field: string, expected: string) => {
    throw new TypeError(`${preset.label} does not accept \`${field}\`: ${expected}`);
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
    if (!tokenIds) refuse('request.input', 'token ids (it embeds text only: give the text)');
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
