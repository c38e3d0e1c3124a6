import type { OpenAIAudioOutput } from '../audio-output-types';
import { num, obj, str } from './chat-fields';

/**
 * The audio of an answer, as it arrives: OpenAI's `message.audio` whole, or `delta.audio` pieces
 * (`{ id?, data?, transcript?, expires_at? }`), the base64 data and the transcript each joined in
 * order, the id and expiry the last ones given.
 */
export class AudioOutput {
  #id: string | undefined;
  #data = '';
  #transcript = '';
  #expiresAt: number | undefined;
  #seen = false;

  /**
   * Folds in one piece (or a whole answer's audio). Returns true when it brought audio or
   * transcript: what the idle deadline counts as progress (an id alone is not).
   */
  add(value: unknown): boolean {
    const audio = obj(value);
    if (audio === undefined) return false;
    this.#seen = true;
    const id = str(audio.id);
    if (id !== undefined && id.length > 0) this.#id = id;
    const expiresAt = num(audio.expires_at);
    if (expiresAt !== undefined) this.#expiresAt = expiresAt;
    const data = str(audio.data) ?? '';
    const transcript = str(audio.transcript) ?? '';
    this.#data += data;
    this.#transcript += transcript;
    return data.length > 0 || transcript.length > 0;
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
