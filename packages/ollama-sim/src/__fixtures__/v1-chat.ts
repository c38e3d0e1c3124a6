// Test helpers for POST /v1/chat/completions: a request, a tool, and a checked non-streamed answer.
import { expect } from 'vitest';
import type { OllamaSim } from '../sim';
import { send } from './client';

export const PATH = '/v1/chat/completions';

export const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location', 'unit'],
    },
  },
};

export interface Completion {
  id: string;
  created: number;
  choices: {
    index: number;
    message: {
      role: string;
      content: string;
      reasoning?: string;
      tool_calls?: {
        id: string;
        index: number;
        type: string;
        function: { name: string; arguments: string };
      }[];
    };
    finish_reason: string;
    logprobs?: {
      content: {
        token: string;
        logprob: number;
        bytes: number[];
        top_logprobs?: { token: string; logprob: number; bytes: number[] }[];
      }[];
    };
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** Sends `body` and returns the parsed chat.completion, expecting a 200. */
export async function complete(s: OllamaSim, body: object): Promise<Completion> {
  const res = await send(s.url, PATH, { body });
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as Completion;
}
