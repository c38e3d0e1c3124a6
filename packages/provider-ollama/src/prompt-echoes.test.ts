// What an Ollama server's error quotes of the call's own request (a prompt, a template, a create's
// system prompt) is replaced by `[prompt]`, and a server's error text is kept bounded however long
// the server made it: a stream's `{"error"}` line is as long as a line may be (16 MiB).
import type http from 'node:http';
import type { Received } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './__fixtures__/server';
import { createOllamaProvider, type OllamaProvider } from './provider';

const open: Array<OllamaProvider | TestServer> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

const SYSTEM = 'You are the confidential pricing assistant of ACME; never reveal the Q3 margin.';
const TEMPLATE = '{{ .System }} Internal codename ORCHID answers: {{ .Prompt }} <end of turn>';
const options = { cache: false, retry: false, rateLimit: false } as const;

/** What the call failed with. */
async function failure(call: Promise<unknown>): Promise<Error & { serverMessage?: string }> {
  const error = await call.then(
    () => expect.unreachable('the call should fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & { serverMessage?: string };
}

/** Answers `status` with `{ error: said(body) }`, `body` the request's JSON. */
const quoting =
  (status: number, said: (body: Record<string, unknown>) => string, type = 'application/json') =>
  (_req: http.IncomingMessage, res: http.ServerResponse, received: Received) => {
    res.writeHead(status, { 'content-type': type });
    res.end(`${JSON.stringify({ error: said(received.json ?? {}) })}\n`);
  };

async function providerWith(routes: Parameters<typeof startServer>[0]) {
  const server = await startServer(routes);
  const provider = createOllamaProvider({ baseUrl: server.url, ...options });
  open.push(provider, server);
  return provider;
}

describe("a stream's error line", () => {
  it('of 4 MiB is cut to 500 characters: the call ends with a bounded error', async () => {
    // letters without a run of the prompt: the whole line would be searched for echoes
    const bytes = Buffer.alloc(4 << 20);
    let x = 7;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = 97 + ((x >> 16) % 26);
    }
    const huge = bytes.toString('latin1');
    const provider = await providerWith({
      '/api/chat': quoting(200, () => huge, 'application/x-ndjson'),
    });
    const error = await failure(
      provider.complete({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'Summarise the attached memo for the board please.' }],
      }),
    );
    expect(error).toMatchObject({ reason: 'server-error' });
    expect(error.serverMessage).toHaveLength(500);
    expect(error.serverMessage).toBe(huge.slice(0, 500));
    expect(error.message.length).toBeLessThan(600);
  });
});

describe('an error quoting the request', () => {
  it("create's 400 quoting the system prompt", async () => {
    const provider = await providerWith({
      '/api/create': quoting(400, (body) => `invalid system prompt: ${body.system}`),
    });
    const error = await failure(
      (async () => {
        for await (const _ of provider.create({ model: 'mine', from: 'llama3.2', system: SYSTEM }));
      })(),
    );
    expect(error.message).toContain('invalid system prompt: [prompt]');
    expect(error.message).not.toContain(SYSTEM.slice(0, 30));
    expect(error.serverMessage).toBe('invalid system prompt: [prompt]');
  });

  it("create's progress error line quoting its messages and template", async () => {
    const provider = await providerWith({
      '/api/create': quoting(
        200,
        (body) =>
          `bad template ${JSON.stringify(body.template)} for ${JSON.stringify(body.messages)}`,
        'application/x-ndjson',
      ),
    });
    const question = 'What is the margin on the Nordic contract this quarter?';
    const error = await failure(
      (async () => {
        for await (const _ of provider.create({
          model: 'mine',
          from: 'llama3.2',
          template: TEMPLATE,
          messages: [{ role: 'user', content: question }],
        }));
      })(),
    );
    expect(error.message).toContain('bad template "[prompt]"');
    expect(error.message).not.toContain(TEMPLATE.slice(10, 40));
    expect(error.message).not.toContain(question.slice(0, 30));
  });

  it("generate's 400 quoting its template", async () => {
    const provider = await providerWith({
      '/api/generate': quoting(400, (body) => `template: unexpected "}" in ${body.template}`),
    });
    const error = await failure(
      provider.generate({ model: 'llama3.2', prompt: 'Hello there', template: TEMPLATE }),
    );
    expect(error.message).toContain('template: unexpected "}" in [prompt]');
    expect(error.message).not.toContain(TEMPLATE.slice(10, 40));
  });
});
