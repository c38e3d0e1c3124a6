import { serverExcerpt } from '../server-text';
import { EMPTY_PARTIAL, type PartialResponse, type StreamChunk } from '../types';
import type { Accumulator } from './accumulator';

/** A parsed JSON object, as {@link JsonAnswerInit}'s `accept` and `build` receive it. */
export type Json = Record<string, unknown>;

/** How {@link JsonAnswerAccumulator} reads one kind of answer. */
export interface JsonAnswerInit<Response> {
  /** Scrubs secrets out of the answer's text before an error quotes it. */
  redact: (text: string) => string;
  /** Whether the parsed object is this answer (default: any object). */
  accept?: ((parsed: Json) => boolean) | undefined;
  /** The provider's stream error for an answer that is not JSON or not accepted; `excerpt` is redacted. */
  invalid: (excerpt: string) => Error;
  /** The response from the parsed object. */
  build: (parsed: Json) => Response;
}

/**
 * The accumulator of an answer that is never streamed (embeddings, metadata): one JSON object,
 * read whole. An answer that is not one throws `invalid` with its first 80 characters, redacted,
 * and never the SyntaxError (whose message would quote the body unredacted).
 */
export class JsonAnswerAccumulator<Response>
  implements Accumulator<StreamChunk<Response>, Response>
{
  readonly #init: JsonAnswerInit<Response>;
  #parsed: Json | undefined;

  constructor(init: JsonAnswerInit<Response>) {
    this.#init = init;
  }

  get done(): boolean {
    return this.#parsed !== undefined;
  }

  get chunks(): number {
    return 0;
  }

  add(): undefined {
    return undefined;
  }

  addWhole(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      (this.#init.accept !== undefined && !this.#init.accept(parsed as Json))
    ) {
      throw this.#init.invalid(serverExcerpt(text, this.#init.redact));
    }
    this.#parsed = parsed as Json;
  }

  partial(): PartialResponse {
    return EMPTY_PARTIAL;
  }

  build(): Response {
    return this.#init.build(this.#parsed ?? {});
  }
}
