import { type Admitted, admit, release } from '../admission';
import { type CompletionInput, complete } from '../completion';
import { type Exchange, type Json, type SimContext, sendError } from '../context';
import { goJson } from '../go-json';
import { goTimeUtc } from '../go-time';
import { chatPrompt, IMAGE_TOKENS } from '../prompt-tokens';
import { estimateTextTokens } from '../text';
import { CHAT_FIELDS, checkFields, GENERATE_FIELDS } from '../validate';
import { type AnswerSpec, answer } from './answer';

// `/api/chat` and `/api/generate`: each request's own checks, its prompt estimate and the seeded
// completion; admission is shared, and the answer is written natively or by the /v1 layer.

/** How a chat or generate request is answered: natively, or as Ollama's OpenAI layer does. */
export interface GenerationWriter {
  answer(ctx: SimContext, ex: Exchange, spec: AnswerSpec): Promise<void>;
  /** An empty prompt only loads (or with `keep_alive: 0` unloads) the model; the answer says which. */
  loadOnly(
    ex: Exchange,
    model: string,
    route: 'chat' | 'generate',
    reason: 'load' | 'unload',
  ): Promise<void>;
}

/** The native answer of an empty prompt: one done line without counters. */
function nativeLoadOnly(
  ex: Exchange,
  model: string,
  route: 'chat' | 'generate',
  reason: 'load' | 'unload',
): Promise<void> {
  const created_at = goTimeUtc(Date.now());
  const text =
    route === 'chat'
      ? goJson({
          model,
          created_at,
          message: { role: 'assistant', content: '' },
          done: true,
          done_reason: reason,
        })
      : goJson({ model, created_at, response: '', done: true, done_reason: reason });
  return ex.out.send(200, text);
}

const NATIVE: GenerationWriter = { answer, loadOnly: nativeLoadOnly };

/** llama-server's budget for open-ended generation: ten windows (llm/llama_server.go). */
const OPEN_ENDED_WINDOWS = 10;

/**
 * The most tokens the runner generates: `num_predict`, a negative one (the default) or one above
 * ten windows bounded to ten windows (boundedNumPredict); and without context shift, llama-server
 * stops (`length`) once the prompt and the answer fill the window.
 */
function generationLimit(admitted: Admitted, promptTokens: number): number {
  const { numCtx, options, contextShift } = admitted;
  const requested = typeof options?.num_predict === 'number' ? Math.trunc(options.num_predict) : -1;
  const budget = OPEN_ENDED_WINDOWS * numCtx;
  const bounded = requested < 0 || requested > budget ? budget : requested;
  return contextShift ? bounded : Math.min(bounded, Math.max(0, numCtx - promptTokens));
}

/** The inputs of the seeded completion every chat and generate request shares. */
function completionBase(
  ctx: SimContext,
  body: Json,
  admitted: Admitted,
  model: string,
  promptTokens: number,
): Pick<
  CompletionInput,
  | 'model'
  | 'modelKey'
  | 'body'
  | 'thinking'
  | 'numPredict'
  | 'simSeed'
  | 'requestSeed'
  | 'responseTokens'
  | 'reply'
  | 'tokensPerChar'
  | 'stop'
  | 'parallelToolCalls'
> {
  const { rt, options } = admitted;
  return {
    model,
    modelKey: rt.model.key,
    body,
    thinking: rt.model.capabilities.includes('thinking') && body.think !== false,
    numPredict: generationLimit(admitted, promptTokens),
    simSeed: ctx.opts.seed,
    requestSeed: typeof options?.seed === 'number' && options.seed >= 0 ? options.seed : undefined,
    responseTokens: ctx.opts.responseTokens,
    reply: ctx.opts.reply,
    tokensPerChar: ctx.opts.tokensPerChar,
    stop: Array.isArray(options?.stop) ? (options.stop as string[]) : [],
    parallelToolCalls: ctx.opts.toolCalls.parallel,
  };
}

export function chat(ctx: SimContext, ex: Exchange): Promise<void> {
  return runChat(ctx, ex, NATIVE);
}

export function generate(ctx: SimContext, ex: Exchange): Promise<void> {
  return runGenerate(ctx, ex, NATIVE);
}

/** A chat request (native, or rewritten from /v1) answered by `writer`. */
export async function runChat(
  ctx: SimContext,
  ex: Exchange,
  writer: GenerationWriter,
): Promise<void> {
  const { body, out } = ex;
  const bad = checkFields(body, CHAT_FIELDS, 'ChatRequest', ctx.opts.keepAliveMs);
  if (bad !== undefined) return sendError(out, 400, bad);
  const model = typeof body.model === 'string' ? body.model : '';
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  const admitted = await admit(ctx, ex, model, 'chat', messages.length === 0);
  if (admitted === undefined) return;
  if (admitted === 'unload') return writer.loadOnly(ex, model, 'chat', 'unload');
  try {
    if (messages.length === 0) return await writer.loadOnly(ex, model, 'chat', 'load');
    const { rt, numCtx } = admitted;
    const tools = Array.isArray(body.tools) && body.tools.length > 0 ? body.tools : undefined;
    const prompt = chatPrompt({
      messages,
      tools,
      tokensPerChar: ctx.opts.tokensPerChar,
      modelSystem: rt.model.system,
      vision: rt.model.capabilities.includes('vision'),
      numCtx,
      truncate: body.truncate !== false,
    });
    const completion = complete({
      ...completionBase(ctx, body, admitted, model, prompt.tokens),
      route: '/api/chat',
      promptText: prompt.seedText,
      prompt: prompt.lastUser,
      tools,
      lastRole: prompt.lastRole,
    });
    await writer.answer(ctx, ex, {
      admitted,
      model,
      route: 'chat',
      promptTokens: prompt.tokens,
      completion,
      // ChatHandler hands chatPrompt's prompt to the runner with `Truncate: truncate`.
      untruncated: body.truncate === false || prompt.media,
      contextShift: admitted.contextShift,
      messagesDropped: prompt.dropped > 0,
    });
  } finally {
    release(ctx, admitted.rt, admitted.keepAliveMs);
  }
}

/** A generate request (native, or rewritten from /v1/completions) answered by `writer`. */
export async function runGenerate(
  ctx: SimContext,
  ex: Exchange,
  writer: GenerationWriter,
): Promise<void> {
  const { body, out } = ex;
  const bad = checkFields(body, GENERATE_FIELDS, 'GenerateRequest', ctx.opts.keepAliveMs);
  if (bad !== undefined) return sendError(out, 400, bad);
  const model = typeof body.model === 'string' ? body.model : '';
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  const admitted = await admit(ctx, ex, model, 'generate', prompt === '');
  if (admitted === undefined) return;
  if (admitted === 'unload') return writer.loadOnly(ex, model, 'generate', 'unload');
  try {
    // Ollama tests the prompt alone (`req.Prompt == ""` in GenerateHandler): images without a
    // prompt only load the model.
    if (prompt === '') return await writer.loadOnly(ex, model, 'generate', 'load');
    const tpc = ctx.opts.tokensPerChar;
    const system =
      typeof body.system === 'string' && body.system !== ''
        ? body.system
        : (admitted.rt.model.system ?? '');
    const suffix = typeof body.suffix === 'string' ? body.suffix : '';
    let tokens =
      body.raw === true
        ? 1 + estimateTextTokens(prompt, tpc)
        : 12 + estimateTextTokens(prompt, tpc) + estimateTextTokens(system, tpc);
    tokens += estimateTextTokens(suffix, tpc);
    if (Array.isArray(body.context)) tokens += body.context.length;
    const images = Array.isArray(body.images) ? body.images.length : 0;
    if (admitted.rt.model.capabilities.includes('vision')) tokens += IMAGE_TOKENS * images;
    const completion = complete({
      ...completionBase(ctx, body, admitted, model, tokens),
      route: '/api/generate',
      promptText: `${system}\u0000${prompt}\u0000${suffix}`,
      prompt,
      tools: undefined,
      lastRole: 'user',
    });
    await writer.answer(ctx, ex, {
      admitted,
      model,
      route: 'generate',
      promptTokens: tokens,
      completion,
      // GenerateHandler's messages (system, prompt) leave chatPrompt nothing to drop: only the
      // runner truncates, with `Truncate: req.Truncate == nil || *req.Truncate`.
      untruncated: body.truncate === false || images > 0,
      contextShift: admitted.contextShift,
      messagesDropped: false,
    });
  } finally {
    release(ctx, admitted.rt, admitted.keepAliveMs);
  }
}
