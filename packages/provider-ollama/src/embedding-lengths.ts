import { BoundedMap } from '@x/internal';
import { EmbeddingDimensionsError, isEmbeddingDimensionsError } from './embedding-dimensions-error';
import type { EmbedRequest } from './types';
import { modelKey } from './wire/models';

/** Models whose embedding length a provider keeps: enough for any deployment's embedders. */
const MAX_MODELS = 64;

/**
 * The embedding lengths a provider learnt from answers with fewer numbers than `dimensions` asked
 * (Ollama answers full-length vectors then), by model (`nomic-embed-text` and its `:latest` are
 * one): a later request
 * for that model with too many dimensions is refused before anything is sent. Learnt from those
 * failures only: an ordinary call costs nothing here, and no `/api/show` is asked.
 */
export class EmbeddingLengths {
  readonly #lengths = new BoundedMap<string, number>(MAX_MODELS);

  /** Throws {@link EmbeddingDimensionsError} when `request` asks for more than the known length. */
  check(request: EmbedRequest): void {
    const dimensions = request.dimensions;
    if (dimensions === undefined || this.#lengths.size === 0) return;
    const length = this.#lengths.get(modelKey(request.model));
    if (length !== undefined && dimensions > length) {
      throw new EmbeddingDimensionsError({
        model: request.model,
        dimensions,
        embeddingLength: length,
        sent: false,
      });
    }
  }

  /** Keeps the length a failed call's answer showed, then rethrows the failure. */
  readonly learn = (error: unknown): never => {
    if (isEmbeddingDimensionsError(error) && error.sent && error.unsupportedBy === undefined) {
      const key = modelKey(error.model);
      // Deleted first, so that the map's oldest entry is the model least recently learnt.
      this.#lengths.delete(key);
      this.#lengths.set(key, error.embeddingLength);
    }
    throw error;
  };

  /** Forgets a model changed through the provider (`create()`, `pull()`...): it may be another. */
  forget(model: string): void {
    this.#lengths.delete(modelKey(model));
  }
}
