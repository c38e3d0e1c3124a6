// What a model that speaks answers (`modalities: ['text', 'audio']` and `audio: { voice, format }`
// in `extraBody`): `ChatResponse.audio`, and the reference an assistant turn sends back.

/**
 * The spoken answer (the API's `message.audio`; in a stream, the `delta.audio` pieces joined).
 * Its `id` goes back with the turn (`message.audio`) for a later request to build on it.
 */
export interface OpenAIAudioOutput {
  /** The audio's id (`audio_...`), what a later turn refers to; `undefined` when none was sent. */
  id: string | undefined;
  /** The audio in the format the request asked for, base64 (a stream's pieces joined). */
  data: string;
  /** What the audio says, as text (a stream's pieces joined; `''` when none was sent). */
  transcript: string;
  /** Unix time in seconds after which the server no longer keeps it for a later turn. */
  expiresAt: number | undefined;
}

/** An earlier answer's audio, by its id: an assistant message's `audio`, sent as `audio: { id }`. */
export interface OpenAIAudioReference {
  id: string;
}
