import { hasBrand, mark, quoted } from '@x/internal';
import { BRAND } from './error-codes';

/**
 * `embed()`'s `dimensions` that the answer's vectors do not have. Ollama (server/routes.go,
 * `EmbedHandler`) cuts a vector only when `dimensions` is smaller than the model's embedding
 * length; a larger one is ignored without a word, and full-length vectors come back: stored, they
 * would not match the size asked for. So the answer is dropped (never cached, never retried, no
 * breaker failure: the server is well) and the model's length is remembered by the provider, so a
 * later request for that model with too many dimensions is refused before anything is sent.
 *
 * A `RangeError`, as every value this model cannot take: the same request fails the same way on
 * every server of this model (`@x/router` ends the call with it). Vectors longer than asked say
 * instead that this server ignored the field (an Ollama before 0.11.11 that said no version):
 * `unsupportedBy: 'server'`, and a router tries its next deployment, as for `ServerTooOldError`.
 * It has a `code` (unlike the other argument errors): the first such request is sent, and fails
 * on the answer. `isEmbeddingDimensionsError(e)` checks its brand, across duplicate installs.
 */
export class EmbeddingDimensionsError extends RangeError {
  readonly code: 'X_PROVIDER_OLLAMA_EMBEDDING_DIMENSIONS';
  /** The field as the request names it: `request.dimensions`. */
  readonly field: 'request.dimensions';
  /** The `dimensions` asked for. */
  readonly dimensions: number;
  /**
   * The length of the model's vectors, as the server answered them (or as an earlier answer told
   * the provider): the model's embedding length when it is below `dimensions`.
   */
  readonly embeddingLength: number;
  /** The model, as the request names it. */
  readonly model: string;
  /** False when the request was refused before anything was sent (the length was known). */
  readonly sent: boolean;
  /**
   * `'server'` when the vectors were longer than asked: this server ignored the field, a newer
   * one honours it. Read by `@x/router` as a property, so that it depends on no provider.
   */
  readonly unsupportedBy: 'server' | undefined;

  constructor(init: { model: string; dimensions: number; embeddingLength: number; sent: boolean }) {
    const { model, dimensions, embeddingLength, sent } = init;
    const ignored = embeddingLength > dimensions;
    super(
      ignored
        ? `\`request.dimensions\` \`${dimensions}\` was ignored: the server answered vectors of ${embeddingLength} numbers for ${quoted(model)} (an Ollama before 0.11.11 ignores the field). Upgrade Ollama, or leave the field out`
        : `\`request.dimensions\` \`${dimensions}\` is more than the embedding length of ${quoted(model)}, ${embeddingLength}: Ollama answers full-length vectors then. Ask for at most ${embeddingLength}, or leave the field out (${sent ? 'the answer was dropped' : 'nothing was sent'})`,
    );
    this.name = 'EmbeddingDimensionsError';
    this.code = 'X_PROVIDER_OLLAMA_EMBEDDING_DIMENSIONS';
    this.field = 'request.dimensions';
    this.dimensions = dimensions;
    this.embeddingLength = embeddingLength;
    this.model = model;
    this.sent = sent;
    this.unsupportedBy = ignored ? 'server' : undefined;
    mark(this, BRAND.embeddingDimensions);
  }
}

/** True for an {@link EmbeddingDimensionsError} (checks the brand, works across duplicate installs). */
export const isEmbeddingDimensionsError = (error: unknown): error is EmbeddingDimensionsError =>
  hasBrand(error, BRAND.embeddingDimensions);
