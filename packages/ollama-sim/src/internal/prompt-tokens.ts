import { isPlainObject } from '@x/internal';
import { estimateTextTokens } from './text';

// The estimated size of a rendered chat prompt, and the part of the conversation the runner gets.
// Ollama counts an image as 768 tokens only for a model with a vision projector (server/prompt.go);
// a prompt with images reaches the runner as it is (llm/llama_server.go), after chatPrompt dropped
// the oldest messages (system messages stay) until the rest fits the window.

/** What an image weighs in the window of a vision model. */
export const IMAGE_TOKENS = 768;

/** A chat's prompt as the runner gets it, and the text the seeded completion derives from. */
export interface ChatPrompt {
  /** Estimated tokens of the prompt the runner gets. */
  readonly tokens: number;
  /** The runner gets images with it, so nothing shortens it further. */
  readonly media: boolean;
  /** Roles and contents of every message (and the tools), the completion's seed. */
  readonly seedText: string;
  readonly lastRole: string | undefined;
  /** The last user message. */
  readonly lastUser: string;
}

export interface ChatPromptInput {
  readonly messages: readonly unknown[];
  readonly tools: readonly unknown[] | undefined;
  readonly tokensPerChar: number;
  /** The Modelfile's SYSTEM: rendered when the conversation brings no system message. */
  readonly modelSystem: string | undefined;
  /** The model has a vision projector: its images count in the window. */
  readonly vision: boolean;
  readonly numCtx: number;
  /** `truncate` is not false: old messages may be dropped to fit. */
  readonly truncate: boolean;
}

interface Counted {
  readonly system: boolean;
  readonly tokens: number;
  readonly images: number;
}

function imagesOf(m: Record<string, unknown>): number {
  return Array.isArray(m.images) ? m.images.length : 0;
}

/**
 * The first message kept: 0, or with images and `truncate`, the first from which the prompt
 * (earlier system messages kept) fits the window, the last message at worst.
 */
function firstKept(counted: readonly Counted[], fixed: number, input: ChatPromptInput): number {
  const withImages = counted.some((c) => c.images > 0);
  if (!withImages || !input.truncate || counted.length === 0) return 0;
  let suffix = counted.reduce((sum, c) => sum + c.tokens, 0);
  let droppedSystem = 0;
  for (let i = 0; i < counted.length - 1; i++) {
    if (fixed + droppedSystem + suffix <= input.numCtx) return i;
    const c = counted[i]!;
    suffix -= c.tokens;
    if (c.system) droppedSystem += c.tokens;
  }
  return counted.length - 1;
}

/** The estimate: 4 (BOS + assistant header) + per message 4 + its text (+ its images on a vision model). */
export function chatPrompt(input: ChatPromptInput): ChatPrompt {
  const tpc = input.tokensPerChar;
  const counted: Counted[] = [];
  let seedText = '';
  let lastRole: string | undefined;
  let lastUser = '';
  let hasSystem = false;
  for (const m of input.messages) {
    if (!isPlainObject(m)) continue;
    const role = typeof m.role === 'string' ? m.role : '';
    const content = typeof m.content === 'string' ? m.content : '';
    const images = imagesOf(m);
    const tokens =
      4 + estimateTextTokens(content, tpc) + (input.vision ? IMAGE_TOKENS * images : 0);
    counted.push({ system: role === 'system', tokens, images });
    if (role === 'system') hasSystem = true;
    seedText += `${role}\u0000${content}\u0000`;
    lastRole = role;
    if (role === 'user') lastUser = content;
  }
  let fixed = 4;
  // The Modelfile's SYSTEM: tokens the client never sees but the window pays for.
  if (input.modelSystem !== undefined && !hasSystem)
    fixed += 4 + estimateTextTokens(input.modelSystem, tpc);
  if (input.tools !== undefined) {
    const toolsText = JSON.stringify(input.tools);
    fixed += estimateTextTokens(toolsText, tpc);
    seedText += toolsText;
  }
  const first = firstKept(counted, fixed, input);
  let tokens = fixed;
  let media = false;
  counted.forEach((c, i) => {
    if (i >= first || c.system) tokens += c.tokens;
    if (i >= first && c.images > 0) media = true;
  });
  return { tokens, media, seedText, lastRole, lastUser };
}
