import { isPlainObject } from '@x/internal';
import { estimateTextTokens } from './text';

// The estimated size of a rendered chat prompt, and the part of the conversation the runner gets.
// Ollama's ChatHandler (server/routes.go) puts the Modelfile's SYSTEM first when the first message
// is not a system message, then chatPrompt (server/prompt.go) drops the oldest messages, those it
// drops that are system messages kept, until the rendered prompt fits the window (tokens <=
// num_ctx), the last message at worst; nothing is dropped with `truncate: false`. An image counts
// 768 tokens there only for a model with a vision projector, and only in the messages kept.

/** What an image weighs in the window of a vision model. */
export const IMAGE_TOKENS = 768;

/** A chat's prompt as the runner gets it, and the text the seeded completion derives from. */
export interface ChatPrompt {
  /** Estimated tokens of the prompt the runner gets. */
  readonly tokens: number;
  /** The runner gets images with it, so nothing shortens it further. */
  readonly media: boolean;
  /** Messages chatPrompt dropped to fit the window (0 when it fits or with `truncate: false`). */
  readonly dropped: number;
  /** Roles and contents of every message kept (and the tools), the completion's seed. */
  readonly seedText: string;
  readonly lastRole: string | undefined;
  /** The last user message kept. */
  readonly lastUser: string;
}

export interface ChatPromptInput {
  readonly messages: readonly unknown[];
  readonly tools: readonly unknown[] | undefined;
  readonly tokensPerChar: number;
  /** The Modelfile's SYSTEM: rendered when the conversation does not start with a system message. */
  readonly modelSystem: string | undefined;
  /** The model has a vision projector: its images count in the window. */
  readonly vision: boolean;
  readonly numCtx: number;
  /** `truncate` is not false: old messages may be dropped to fit. */
  readonly truncate: boolean;
}

interface Counted {
  readonly role: string;
  readonly content: string;
  /** Template tokens and text. */
  readonly text: number;
  /** Its images' tokens (0 unless the model has a vision projector). */
  readonly imageTokens: number;
  readonly images: number;
}

function imagesOf(m: Record<string, unknown>): number {
  return Array.isArray(m.images) ? m.images.length : 0;
}

/**
 * The first message kept, as chatPrompt's loop finds it: for i = 0, 1, …, the prompt made of the
 * system messages before i (their text: imageTaggedMessages tags images from i only) and of the
 * messages from i (with their images) fits when its tokens are at most num_ctx; the last message
 * is kept whatever its size. 0 without `truncate`.
 */
function firstKept(counted: readonly Counted[], fixed: number, input: ChatPromptInput): number {
  if (!input.truncate) return 0;
  let suffix = counted.reduce((sum, c) => sum + c.text + c.imageTokens, 0);
  let systems = 0;
  const last = counted.length - 1;
  for (let i = 0; i < last; i++) {
    if (fixed + systems + suffix <= input.numCtx) return i;
    const c = counted[i]!;
    suffix -= c.text + c.imageTokens;
    if (c.role === 'system') systems += c.text;
  }
  return Math.max(last, 0);
}

/** The estimate: 4 (BOS + assistant header) + per message 4 + its text (+ its images on a vision model). */
export function chatPrompt(input: ChatPromptInput): ChatPrompt {
  const tpc = input.tokensPerChar;
  const counted: Counted[] = [];
  for (const m of input.messages) {
    if (!isPlainObject(m)) continue;
    const role = typeof m.role === 'string' ? m.role : '';
    const content = typeof m.content === 'string' ? m.content : '';
    const images = imagesOf(m);
    const text = 4 + estimateTextTokens(content, tpc);
    counted.push({
      role,
      content,
      text,
      imageTokens: input.vision ? IMAGE_TOKENS * images : 0,
      images,
    });
  }
  let fixed = 4;
  // The Modelfile's SYSTEM: a system message the client never sees, always kept (ChatHandler adds
  // it when `req.Messages[0].Role != "system"`).
  if (input.modelSystem !== undefined && input.modelSystem !== '' && counted[0]?.role !== 'system')
    fixed += 4 + estimateTextTokens(input.modelSystem, tpc);
  let toolsText = '';
  if (input.tools !== undefined) {
    toolsText = JSON.stringify(input.tools);
    fixed += estimateTextTokens(toolsText, tpc);
  }
  const first = firstKept(counted, fixed, input);
  let tokens = fixed;
  let media = false;
  let seedText = '';
  let lastRole: string | undefined;
  let lastUser = '';
  counted.forEach((c, i) => {
    if (i < first) {
      // A dropped system message stays, without its images (chatPrompt's `system`).
      if (c.role === 'system') {
        tokens += c.text;
        seedText += `${c.role}\u0000${c.content}\u0000`;
      }
      return;
    }
    tokens += c.text + c.imageTokens;
    if (c.images > 0) media = true;
    seedText += `${c.role}\u0000${c.content}\u0000`;
    lastRole = c.role;
    if (c.role === 'user') lastUser = c.content;
  });
  return { tokens, media, dropped: first, seedText: seedText + toolsText, lastRole, lastUser };
}
