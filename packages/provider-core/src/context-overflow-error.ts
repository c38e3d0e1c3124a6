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
  cause?: unknown;
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
        ? `The prompt is longer than the context window of ${quoted(init.model)} (server: ${cutServerText(init.serverMessage ?? 'context length exceeded')})`
        : `The prompt of about ${init.promptTokens} tokens (+${reserve} reserved for the answer) does not fit the ${init.contextWindow}-token context window of ${quoted(init.model)}` +
            (init.trainedContextLength !== undefined
              ? ` (trained maximum ${init.trainedContextLength})`
              : ''),
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
