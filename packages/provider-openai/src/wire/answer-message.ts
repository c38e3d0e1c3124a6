import type { OpenAIAssistantMessage, OpenAIToolCall } from '../types';

/**
 * An answer's `message`, ready to push back into `messages`: what the next request needs of the
 * turn (its text, thinking, tool calls, refusal and its audio's id), each only when the answer had
 * it.
 */
export function answerMessage(
  content: string,
  thinking: string | undefined,
  toolCalls: OpenAIToolCall[],
  refusal: string | undefined,
  audioId: string | undefined,
): OpenAIAssistantMessage {
  const message: OpenAIAssistantMessage = { role: 'assistant', content };
  if (thinking !== undefined) message.thinking = thinking;
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  if (refusal !== undefined) message.refusal = refusal;
  if (audioId !== undefined) message.audio = { id: audioId };
  return message;
}
