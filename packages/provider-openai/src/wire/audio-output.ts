import { redactOnce } from '@x/provider-core';
import type { OpenAIAudioOutput, OpenAIAudioPiece } from '../audio-output-types';
import { num, obj, str } from './chat-fields';

/**
 * The audio of an answer, as it arrives: OpenAI's `message.audio` whole, or `delta.audio` pieces
 * (`{ id?, data?, transcript?, expires_at? }`), the base64 data and the transcript each joined in
 * order, the id and expiry the last ones given.
 */
export class AudioOutput {
  #id: string | undefined;
  /** The last id as the server sent it: a piece repeating it is not scrubbed again. */
  #givenId: string | undefined;
  #data = '';
  #transcript = '';
  #expiresAt: number | undefined;
  #seen = false;

  /**
   * Folds in one piece (or a whole answer's audio). Returns the piece as a stream's chunk carries
   * it, or `undefined` when `value` gives none of the fields (absent, `null`, `{}`). The id is
   * scrubbed with `redact`: the server words it, so a hostile one may echo the request's key there,
   * and a stream's chunk hands it to the caller (and the answer to a shared cache) as it comes.
   */
  add(value: unknown, redact: (text: string) => string): OpenAIAudioPiece | undefined {
    const audio = obj(value);
    if (audio === undefined) return undefined;
    this.#seen = true;
    const given = str(audio.id);
    let id: string | undefined;
    if (given !== undefined && given.length > 0) {
      // Each answer's id is its own: scrubbed without filling the scrub's memo of clean texts.
      if (given !== this.#givenId) this.#id = redactOnce(redact, given);
      this.#givenId = given;
      id = this.#id;
    }
    const expiresAt = num(audio.expires_at);
    if (expiresAt !== undefined) this.#expiresAt = expiresAt;
    const data = str(audio.data) ?? '';
    const transcript = str(audio.transcript) ?? '';
    this.#data += data;
    this.#transcript += transcript;
    if (id === undefined && expiresAt === undefined && data === '' && transcript === '') {
      return undefined;
    }
    return { id, data, transcript, expiresAt };
  }

  /** True when a piece brought audio or transcript: what the idle deadline counts (an id alone is not). */
  static heard(piece: OpenAIAudioPiece | undefined): boolean {
    return piece !== undefined && (piece.data.length > 0 || piece.transcript.length > 0);
  }

  /**
   * True for an `expires_at`-only piece: how OpenAI's audio models may end a stream, with no
   * finish reason after it.
   */
  static expiry(piece: OpenAIAudioPiece | undefined): boolean {
    return (
      piece !== undefined &&
      piece.expiresAt !== undefined &&
      piece.id === undefined &&
      piece.data === '' &&
      piece.transcript === ''
    );
  }

  /** True once the audio has an id, data and an expiry: a spoken answer that is all there. */
  get whole(): boolean {
    return this.#id !== undefined && this.#data.length > 0 && this.#expiresAt !== undefined;
  }

  /** True once audio or transcript arrived. */
  get produced(): boolean {
    return this.#data.length > 0 || this.#transcript.length > 0;
  }

  /** The answer's audio, or `undefined` when the answer had none. */
  result(): OpenAIAudioOutput | undefined {
    if (!this.#seen) return undefined;
    return {
      id: this.#id,
      data: this.#data,
      transcript: this.#transcript,
      expiresAt: this.#expiresAt,
    };
  }
}
