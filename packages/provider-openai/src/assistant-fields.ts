import { expectKnownKeys, fail, isPlainObject } from '@x/internal';

const AUDIO_REFERENCE_KEYS = ['id'];

/**
 * The fields only an assistant turn of `messages` may carry, as an answer's `message` holds them:
 * `refusal`, the text of a model that refused (structured outputs), a string, sent as the API's
 * `refusal` (on another role a `RangeError` naming the field: the API takes it nowhere else); and
 * `audio` as `{ id }`, an earlier spoken answer's id, sent as `audio: { id }` (a list of
 * recordings is a user message's, checked with its content parts).
 */
export function validateAssistantFields(at: string, message: Record<string, unknown>): void {
  const { refusal, audio } = message;
  if (refusal !== undefined) {
    if (typeof refusal !== 'string') fail(`${at}.refusal`, 'a string', refusal);
    if (message.role !== 'assistant') {
      const role = String(message.role);
      fail(
        `${at}.refusal`,
        `left out of a${/^[aeiou]/.test(role) ? 'n' : ''} ${role} message (only assistant messages carry a refusal)`,
        refusal,
        true,
      );
    }
  }
  if (message.role === 'assistant' && audio !== undefined && !Array.isArray(audio)) {
    if (!isPlainObject(audio)) {
      fail(`${at}.audio`, "an earlier answer's audio as `{ id }` (`answer.message.audio`)", audio);
    }
    expectKnownKeys(`${at}.audio`, audio, AUDIO_REFERENCE_KEYS);
    if (typeof audio.id !== 'string') fail(`${at}.audio.id`, 'a string', audio.id);
    if (audio.id.length === 0) fail(`${at}.audio.id`, 'a non-empty string', audio.id, true);
  }
}
