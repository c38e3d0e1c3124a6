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

/**
 * What one streamed chunk brought of the spoken answer: the API's `delta.audio` piece. `data` and
 * `transcript` are this chunk's pieces only (`''` when it brought none), to play or show as they
 * come; `id` and `expiresAt` as the piece gave them (OpenAI sends the id with the first piece and
 * the expiry with the last). The last chunk's `response.audio` holds them all joined.
 */
export interface OpenAIAudioPiece {
  /** The audio's id, when this piece gives it. */
  id: string | undefined;
  /** This piece of the audio, base64, as the server cut it. */
  data: string;
  /** This piece of the transcript. */
  transcript: string;
  /** The expiry (Unix seconds), when this piece gives it. */
  expiresAt: number | undefined;
}

/** An earlier answer's audio, by its id: an assistant message's `audio`, sent as `audio: { id }`. */
export interface OpenAIAudioReference {
  id: string;
}
