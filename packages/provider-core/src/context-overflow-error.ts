import { quoted } from '@x/internal';
import { type ErrorOrigin, ProviderError } from './errors';
import { cutServerText } from './server-text';

/** What a context overflow is about. */
export interface ContextOverflowInit {
  model: string;
  promptTokens?: number | undefined;
  reserveOutputTokens?: number | undefined;
  contextWindow?: number | undefined;
  trainedContextLength?: number | undefined;
  source: 'estimate' | 'server';
  serverMessage?: string | undefined;
  /**
   * What the provider knows of this overflow (a window it only assumed), said after what
   * happened and before the remedy, which ends the message of an overflow found before sending.
   */
  hint?: string | undefined;
  cause?: unknown;
}

/**
 * The end of an overflow found before sending: what the caller can change. `'raise'` is not
 * offered: a provider that can raise the window (Ollama) does so by default, so its overflow is
 * past the trained maximum or a window the caller pinned, and OpenAI-compatible APIs refuse it.
 */
function remedy(reserve: number, hinted: boolean): string {
  const what =
    reserve > 0
      ? 'the prompt, the history or the tokens reserved for the answer'
      : 'the prompt or the history';
  return `${hinted ? '; else' : ':'} shorten ${what}, or set \`tokens.onOverflow: 'allow'\` to send it anyway (the answer is then checked for truncation)`;
}

/** The prompt does not fit the model's context window (who found it: `source`). Never retried. */
export class ContextOverflowError extends ProviderError {
  declare readonly kind: 'context-overflow';
  readonly model: string;
  /** Estimated prompt tokens, when known. */
  readonly promptTokens: number | undefined;
  /** Tokens kept free for the answer. */
  readonly reserveOutputTokens: number;
  /** The context window the request would run with. */
  readonly contextWindow: number | undefined;
  /** The model's trained maximum context length, when known. */
  readonly trainedContextLength: number | undefined;
  /** How many tokens too many, when known. */
  readonly overflowBy: number | undefined;
  /** Who found the overflow. */
  readonly source: 'estimate' | 'server';

  constructor(init: ContextOverflowInit & { origin: ErrorOrigin }) {
    const reserve = init.reserveOutputTokens ?? 0;
    super(
      init.source === 'server'
        ? `The prompt is longer than the context window of ${quoted(init.model)} (server: ${cutServerText(init.serverMessage ?? 'context length exceeded')})${init.hint ?? ''}`
        : `The prompt of about ${init.promptTokens} tokens (+${reserve} reserved for the answer) does not fit the ${init.contextWindow}-token context window of ${quoted(init.model)}` +
            (init.trainedContextLength !== undefined
              ? ` (trained maximum ${init.trainedContextLength})`
              : '') +
            (init.hint ?? '') +
            remedy(reserve, init.hint !== undefined),
      {
        origin: init.origin,
        kind: 'context-overflow',
        reason: 'CONTEXT_OVERFLOW',
        retryable: false,
        cause: init.cause,
      },
    );
    this.name = 'ContextOverflowError';
    this.model = init.model;
    this.promptTokens = init.promptTokens;
    this.reserveOutputTokens = reserve;
    this.contextWindow = init.contextWindow;
    this.trainedContextLength = init.trainedContextLength;
    this.overflowBy =
      init.promptTokens !== undefined && init.contextWindow !== undefined
        ? init.promptTokens + reserve - init.contextWindow
        : undefined;
    this.source = init.source;
  }
}
