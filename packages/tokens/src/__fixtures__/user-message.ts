import type { ChatMessage } from '../types';

/** `content` as a conversation of one user message. */
export const asMessages = (content: string): ChatMessage[] => [{ role: 'user', content }];
