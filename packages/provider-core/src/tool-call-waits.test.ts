// `Operation.sendsToolCallsWhole`: a server that sends nothing while a model writes a tool call
// (Ollama) may be silent between two chunks as long as before the first one. Real clock: the
// server paces its lines (silences of 300 ms against an idle deadline of 100 ms and a first-token
// deadline of 1,000 ms).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ask, lineCore, streamed } from './__fixtures__/line-core';
import { agent, closeCoresAndServers, servers, viaRequest } from './__fixtures__/via-request';
import type { BaseChatRequest, BaseChatResponse, Operation } from './index';

afterEach(closeCoresAndServers);
afterAll(() => agent.close());
const TRANSPORTS = [
  ['built-in', {}],
  ['custom', { pool: false, transport: viaRequest }],
] as const;

/** The same operation, for requests whose tool calls the server sends whole. */
const toolCallsWhole: Operation<BaseChatRequest, BaseChatResponse> = {
  ...streamed,
  sendsToolCallsWhole: () => true,
};

const line = (value: object) => `${JSON.stringify(value)}\n`;
const HEL = line({ delta: 'Hel' });
const LO_DONE = line({ delta: 'lo' }) + line({ done: true });

/**
 * Writes `Hel`, then `during` every 20 ms for `silentMs` (nothing when it is empty), then the rest
 * of the answer; with `silentMs` undefined nothing more ever comes.
 */
async function serve(silentMs: number | undefined, during = ''): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(HEL);
    const pace = during === '' ? undefined : setInterval(() => res.write(during), 20);
    const end =
      silentMs === undefined
        ? undefined
        : setTimeout(() => {
            clearInterval(pace);
            res.end(LO_DONE);
          }, silentMs);
    res.on('close', () => {
      clearInterval(pace);
      clearTimeout(end);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** complete() and stream() of `op` against `url` over both transports: each one's answer or error. */
async function callsOf(
  url: string,
  op: Operation<BaseChatRequest, BaseChatResponse>,
  timeouts: { firstTokenMs: number; idleMs: number },
): Promise<unknown[]> {
  const calls: Promise<unknown>[] = [];
  for (const [, transport] of TRANSPORTS) {
    const core = lineCore(url, { timeouts, ...transport });
    calls.push(core.complete(op, ask).then((r) => r.content));
    calls.push(
      (async () => {
        let text = '';
        for await (const chunk of core.stream(op, op.stream!, ask)) text += chunk.content;
        return text;
      })(),
    );
  }
  return Promise.all(calls.map((call) => call.catch((e: unknown) => e)));
}

const LIMITS = { firstTokenMs: 1_000, idleMs: 100 };

describe('Operation.sendsToolCallsWhole', () => {
  it('lets a request whose tool calls come whole be silent mid-answer for longer than idleMs', async () => {
    const url = await serve(300);
    expect(await callsOf(url, toolCallsWhole, LIMITS)).toEqual(Array(4).fill('Hello'));
    // the same silence ends any other request at its idle deadline
    for (const error of await callsOf(url, streamed, LIMITS)) {
      expect(error).toMatchObject({ kind: 'timeout', timeout: 'idle', timeoutMs: 100 });
    }
  }, 10_000);

  it('counts bytes that complete no message as silence within the same longer bound', async () => {
    // blank space every 20 ms: the socket is busy, the answer does not move on
    const url = await serve(300, ' ');
    expect(await callsOf(url, toolCallsWhole, LIMITS)).toEqual(Array(4).fill('Hello'));
  }, 10_000);

  it('still ends a silent server with a typed idle timeout at firstTokenMs, naming it', async () => {
    const url = await serve(undefined);
    const errors = await callsOf(url, toolCallsWhole, LIMITS);
    for (const error of errors) {
      expect(error).toMatchObject({
        kind: 'timeout',
        timeout: 'idle',
        timeoutMs: 1_000,
        retryable: false,
        partial: { content: 'Hel' },
      });
      expect((error as Error).message).toBe(
        'Timed out after 1000 ms waiting for the next chunk, or a tool call the server sends whole (timeouts.firstTokenMs)',
      );
    }
  }, 10_000);

  it('keeps idleMs when it is the longer of the two', async () => {
    const url = await serve(undefined);
    // A first-token deadline a loaded machine meets (the first line is written at once; at 100 ms
    // a loaded run missed it), and an idle one longer still.
    for (const error of await callsOf(url, toolCallsWhole, { firstTokenMs: 500, idleMs: 1_000 })) {
      expect(error).toMatchObject({ kind: 'timeout', timeout: 'idle', timeoutMs: 1_000 });
      expect((error as Error).message).toContain('(timeouts.idleMs)');
    }
  }, 10_000);

  it('bounds no wait between chunks when firstTokenMs is off, as none bounds the first', async () => {
    const url = await serve(300);
    const answers = await callsOf(url, toolCallsWhole, { firstTokenMs: 0, idleMs: 100 });
    expect(answers).toEqual(Array(4).fill('Hello'));
  }, 10_000);
});
