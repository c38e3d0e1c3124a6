import type { OpenAIPresetName } from './presets';

/**
 * Which of an assistant turn's OpenAI-only history fields a server is sent, by the built-in preset
 * it is or extends (`undefined`: a preset of your own that extends none, sent both as before).
 * `audio: { id }` names a spoken answer OpenAI's own API keeps: any other server never issued the
 * id, and Groq and Mistral answer 400/422 to a message field they do not know, so a conversation a
 * router moves from OpenAI to them would fail on it. `refusal` is kept where the server's message
 * schema has it: OpenAI's, and vLLM's (its messages are openai-python's
 * ChatCompletionAssistantMessageParam); elsewhere its text goes as the turn's `content` when that
 * is empty (Mistral's and Groq's schemas have no `refusal`, Ollama's `/v1` drops it unread).
 */
export function historyFieldsOf(family: OpenAIPresetName | undefined): {
  sendsRefusal: boolean;
  sendsAudioId: boolean;
} {
  if (family === undefined || family === 'openai')
    return { sendsRefusal: true, sendsAudioId: true };
  return { sendsRefusal: family === 'vllm', sendsAudioId: false };
}
