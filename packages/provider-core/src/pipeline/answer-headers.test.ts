// An accumulator that asks for the answer's headers (`Accumulator.headers`) is told them once per
// attempt, over every reading (a stream, a buffered call read as one, a whole JSON answer) and every
// transport (the pool, an Agent, a custom one); an error answer's are not its to read.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Answer } from '../__fixtures__/observed';
import {
  type BaseChatRequest,
  type BaseChatResponse,
  createErrorKit,
  mapHttpStatus,
  type Operation,
  ProviderCore,
  type Transport,
} from '../index';

const cores: ProviderCore[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Answers each request with its `x-request-id` (`req-1`, `req-2`...), after `statuses` in turn. */
async function idServer(statuses: number[] = []) {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      const status = statuses[n - 1] ?? 200;
      const streamed = req.headers.accept === 'application/x-ndjson';
      res.writeHead(status, {
        'content-type': streamed && status === 200 ? 'application/x-ndjson' : 'application/json',
        'x-request-id': `req-${n}`,
      });
      if (status !== 200) res.end('{"error":"busy"}');
      else if (streamed) res.end('{"delta":"hi"}\n{"done":true,"in":1,"out":1}\n');
      else res.end('{"text":"hi","in":1,"out":1}');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The made-up API's answer, keeping the request id of each attempt it was told. */
class HeardAnswer extends Answer {
  static heard: string[] = [];
  static throws = false;
  headers(headers: Readonly<Record<string, string | string[] | undefined>>): void {
    HeardAnswer.heard.push(String(headers['x-request-id']));
    if (HeardAnswer.throws) throw new Error('a provider bug');
  }
}

const op = (streams: boolean): Operation<BaseChatRequest, BaseChatResponse> => ({
  name: 'chat',
  endpoint: '/reply',
  checksContext: false,
  stream: streams ? { framing: 'ndjson', accept: 'application/x-ndjson' } : undefined,
  model: (request) => request.model,
  body: (request) => ({ model: request.model }),
  accumulator: () => new HeardAnswer(),
});

const transports = {
  pool: {},
  agent: { pool: false as const },
  custom: { transport: ((url, options) => undiciRequest(url, options)) as Transport },
};

function core(url: string, options: object, exchanges: string[] = []): ProviderCore {
  const origin = { provider: 'demo', label: 'Demo' };
  const made = new ProviderCore({
    identity: { id: 'demo', label: 'Demo', pkg: 'provider-demo', tokens: 'openai' },
    baseUrl: url,
    options: { cache: false, tokens: false, breaker: false, rateLimit: false, ...options },
    kit: createErrorKit(origin),
    httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 100, breaker: {} },
    onExchange: () => (status, headers) => exchanges.push(`${status} ${headers['x-request-id']}`),
  });
  cores.push(made);
  return made;
}

const ask: BaseChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

describe('Accumulator.headers', () => {
  for (const [name, options] of Object.entries(transports)) {
    it(`is told the headers of the answer it reads, whichever way it is read (${name})`, async () => {
      HeardAnswer.heard = [];
      HeardAnswer.throws = false;
      const exchanges: string[] = [];
      const provider = core(await idServer(), options, exchanges);
      expect((await provider.complete(op(true), ask)).content).toBe('hi');
      expect((await provider.complete(op(false), ask)).content).toBe('hi');
      const chunks = [];
      for await (const chunk of provider.stream(op(true), op(true).stream!, ask))
        chunks.push(chunk);
      expect(chunks.at(-1)?.done).toBe(true);
      expect(HeardAnswer.heard).toEqual(['req-1', 'req-2', 'req-3']);
      // The provider's own observer still sees every exchange.
      expect(exchanges).toEqual(['200 req-1', '200 req-2', '200 req-3']);
    });
  }

  it("is told only the answer's headers: not those of an error answer retried before it", async () => {
    HeardAnswer.heard = [];
    HeardAnswer.throws = false;
    const exchanges: string[] = [];
    const provider = core(
      await idServer([503, 503]),
      { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } },
      exchanges,
    );
    const answer = await provider.complete(op(true), ask);
    expect(answer.attempts).toBe(3);
    expect(HeardAnswer.heard).toEqual(['req-3']);
    expect(exchanges).toEqual(['503 req-1', '503 req-2', '200 req-3']);
  });

  it('never fails the call when it throws, and the observer is still told', async () => {
    HeardAnswer.heard = [];
    HeardAnswer.throws = true;
    const exchanges: string[] = [];
    const provider = core(await idServer(), {}, exchanges);
    expect((await provider.complete(op(true), ask)).content).toBe('hi');
    expect((await provider.complete(op(false), ask)).content).toBe('hi');
    expect(HeardAnswer.heard).toEqual(['req-1', 'req-2']);
    expect(exchanges).toEqual(['200 req-1', '200 req-2']);
  });
});
