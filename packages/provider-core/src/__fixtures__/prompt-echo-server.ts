/** A server that quotes the request it refuses, and a provider of its API, for the prompt-echo tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BaseChatRequest,
  type BaseChatResponse,
  type CoreOptions,
  createErrorKit,
  mapHttpStatus,
  type Operation,
  ProviderCore,
  type StreamChunk,
  type WireMessage,
} from '../index';
import { Answer } from './observed';

const origin = { provider: 'reply', label: 'Reply' };
const kit = createErrorKit(origin);

/** The made-up API's answer, where an `{ error }` line fails the stream with the server's text. */
class Failing extends Answer {
  constructor(readonly redact: (text: string) => string) {
    super();
  }
  override add(message: WireMessage): StreamChunk | undefined {
    const line = JSON.parse(message.data);
    if (typeof line.error === 'string') {
      throw kit.stream({
        reason: 'server-error',
        serverMessage: this.redact(line.error),
        partial: this.partial(),
      });
    }
    return super.add(message);
  }
}

/** The whole conversation is sent: a server may quote any message of it. */
const CHAT: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/v1/reply',
  checksContext: false,
  model: (request) => request.model,
  cacheKey: ({ model, messages }) => ({ model, messages }),
  body: ({ model, messages }, stream) => ({ model, messages, stream }),
  accumulator: (redact) => new Failing(redact),
};

const STREAMED: Operation<BaseChatRequest, BaseChatResponse> = {
  ...CHAT,
  stream: { framing: 'ndjson', accept: 'application/x-ndjson' },
};

export function echoProvider(baseUrl: string, options: CoreOptions = {}) {
  const core = new ProviderCore({
    identity: { id: 'reply', label: 'Reply', pkg: 'provider-reply', tokens: 'openai' },
    baseUrl,
    options: { cache: false, rateLimit: false, retry: false, ...options },
    kit,
    httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 10, breaker: {} },
  });
  return {
    core,
    complete: (request: BaseChatRequest) => core.complete(CHAT, request),
    /** `complete()` of an operation that reads its answer as a stream. */
    completeStreamed: (request: BaseChatRequest) => core.complete(STREAMED, request),
    stream: (request: BaseChatRequest) =>
      core.stream(CHAT, { framing: 'ndjson', accept: 'application/x-ndjson' }, request),
  };
}

/** What the server answers to a request body (parsed): a status, a content type and a body. */
export type Refusal = (body: { messages: { role: string; content: string }[] }) => {
  status: number;
  type: string;
  body: string;
};

/** The server on 127.0.0.1: every request is answered by `refuse`. */
export async function startEchoServer(refuse: Refusal) {
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      const { status, type, body } = refuse(JSON.parse(text));
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A user's question, with the quotes and line breaks an escaped echo spells otherwise. */
export const PROMPT =
  'Summarise the attached memo for the board.\nIt says: "Q3 revenue fell 12% in the Nordic region" and \'hiring freezes\' follow.';

/** A conversation: a system prompt, then `content` asked by the user. */
export const chat = (content = PROMPT): BaseChatRequest => ({
  model: 'm',
  messages: [
    { role: 'system', content: 'You are the terse assistant of the ACME finance team.' },
    { role: 'user', content },
  ],
});

/** FastAPI's 422 for a request whose message it refused: the whole message quoted (`input`). */
export const fastApi422: Refusal = ({ messages }) => ({
  status: 422,
  type: 'application/json',
  body: JSON.stringify({
    detail: [
      {
        type: 'string_type',
        loc: ['body', 'messages', 1, 'content'],
        msg: 'Input should be a valid string',
        input: messages[1],
      },
    ],
  }),
});

/** Python's repr of a string: in single quotes, `\'`, `\n` and `\\` escaped. */
export const pyRepr = (text: string) =>
  `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
