import { expect } from 'vitest';

/**
 * Misspelt keys at every depth of a chat request (a message, an image list, a tool call, a tool
 * definition, a tool result), and other APIs' names for its fields, each with the error every provider must throw before sending: the
 * full path and the closest known key. One list, run against each provider's public API.
 */
/** A conversation of one message: an empty one is refused (by the OpenAI provider) before a typo. */
const HI = [{ role: 'user', content: 'hi' }];

const TYPOS: readonly { request: Record<string, unknown>; message: string }[] = [
  {
    request: { messages: [{ role: 'user', content: 'hi', contnet: 'x' }] },
    message:
      'Unknown option `request.messages[0].contnet`: did you mean `request.messages[0].content`?',
  },
  {
    request: { messages: [{ role: 'user', content: 'What is this?', imgaes: ['aGk='] }] },
    message:
      'Unknown option `request.messages[0].imgaes`: did you mean `request.messages[0].images`?',
  },
  {
    request: { messages: [{ role: 'user', content: 'hi', rol: 'x' }] },
    message: 'Unknown option `request.messages[0].rol`: did you mean `request.messages[0].role`?',
  },
  {
    request: { messages: [{ role: 'tool', content: '1', toolCallID: 'c' }] },
    message:
      'Unknown option `request.messages[0].toolCallID`: did you mean `request.messages[0].toolCallId`?',
  },
  {
    request: {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ name: 'get_current_weather', arguments: { location: 'Paris' }, indx: 0 }],
        },
      ],
    },
    message:
      'Unknown option `request.messages[1].toolCalls[0].indx`: did you mean `request.messages[1].toolCalls[0].index`?',
  },
  {
    request: {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'f', arguments: {}, rawArgument: '{}' }],
        },
      ],
    },
    message:
      'Unknown option `request.messages[1].toolCalls[0].rawArgument`: did you mean `request.messages[1].toolCalls[0].rawArguments`?',
  },
  {
    request: {
      messages: HI,
      tools: [{ type: 'function', function: { name: 'f', paramters: {} } }],
    },
    message:
      'Unknown option `request.tools[0].function.paramters`: did you mean `request.tools[0].function.parameters`?',
  },
  {
    request: { messages: HI, tools: [{ type: 'function', function: { name: 'f' }, functon: {} }] },
    message: 'Unknown option `request.tools[0].functon`: did you mean `request.tools[0].function`?',
  },
  // other APIs' names for a field (CHAT_REQUEST_ALIASES in @x/provider-core)
  {
    request: { prompt: 'hi', messages: HI },
    message: 'Unknown option `request.prompt`: did you mean `request.messages`?',
  },
  {
    request: { messages: HI, stream: true },
    message:
      'Unknown option `request.stream`: complete() returns the whole answer and stream() yields it chunk by chunk, so there is no `stream` flag',
  },
  {
    request: { messages: HI, max_completion_tokens: 10 },
    message: 'Unknown option `request.max_completion_tokens`: did you mean `request.maxTokens`?',
  },
];

/** What the contract needs of a provider: its two chat calls, typed loosely for bad input. */
export interface ChatCalls {
  complete(request: never): Promise<unknown>;
  stream(request: never): unknown;
}

/**
 * Asserts that every typo of the list is refused by `complete()` (a rejected promise) and by
 * `stream()` (thrown at once) with its `TypeError`, and that `sent()`, the requests the server
 * received, stays 0.
 */
export async function expectRequestKeyTyposRefused(
  provider: ChatCalls,
  model: string,
  sent: () => number,
): Promise<void> {
  for (const { request, message } of TYPOS) {
    const bad = { model, ...request } as never;
    await expect(provider.complete(bad)).rejects.toThrow(new TypeError(message));
    expect(() => provider.stream(bad)).toThrow(new TypeError(message));
  }
  expect(sent()).toBe(0);
}
