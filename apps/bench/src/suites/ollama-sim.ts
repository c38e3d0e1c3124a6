import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fixtureBody, loadFixture, recordedFixturesDir, startOllamaSim } from '@x/ollama-sim';
import { Agent, request } from 'undici';
import type { Suite } from '../context';
import type { MicroCase, MicroGroup } from '../micro';

const CONCURRENCY = 32;

export const ollamaSimSuite: Suite = {
  name: 'ollama-sim',
  title: '@x/ollama-sim: requests/s of the simulator',
  packages: ['@x/ollama-sim'],
  async prepare() {
    const nonStream = loadFixture(join(recordedFixturesDir, '01-chat-nonstream.json'));
    const stream = loadFixture(join(recordedFixturesDir, '02-chat-stream.json'));
    // the floor: the least a Node server can do, the recorded bytes with no parsing at all
    const bareBodies = { nonStream: fixtureBody(nonStream), stream: fixtureBody(stream) };
    const bare = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!Buffer.concat(chunks).includes('"stream":false')) {
          // chunked, as Ollama frames streams
          res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
          res.write(bareBodies.stream);
          res.end();
        } else {
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
          res.end(bareBodies.nonStream);
        }
      });
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
    const generated = {
      tokensPerSecond: 0,
      responseTokens: { min: 14, max: 14 },
      maxLogEntries: 0,
    };
    const sim = await startOllamaSim(generated);
    const replay = await startOllamaSim({ fixtures: [nonStream, stream], maxLogEntries: 0 });
    // a plan evaluated on every request that never fires: the fault picker's own cost
    const faulty = await startOllamaSim({
      ...generated,
      faults: [{ route: '/api/chat', fault: { kind: 'latency', ms: 1 }, probability: 0 }],
    });
    const agent = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
    const body = (streaming: boolean) =>
      JSON.stringify({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'Why is the sky blue?' }],
        stream: streaming,
      });
    const bodies = { stream: body(true), nonStream: body(false) };
    const call = (url: string, streaming: boolean) => async () => {
      const res = await request(`${url}/api/chat`, {
        method: 'POST',
        body: streaming ? bodies.stream : bodies.nonStream,
        headers: { 'content-type': 'application/json' },
        dispatcher: agent,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200 || !text.includes('"done":true')) {
        throw new Error(`bad answer ${res.statusCode}`);
      }
    };
    const item = (
      name: string,
      library: string,
      role: MicroCase['role'],
      fn: () => Promise<void>,
    ): MicroCase => ({ name, library, role, async: true, concurrency: CONCURRENCY, fn });
    const groups: MicroGroup[] = [
      {
        name: 'chat, non-streaming, c=32',
        description: `${CONCURRENCY} concurrent non-streaming /api/chat requests over 16 keep-alive undici connections, client and servers in this process; the simulator generates 14 tokens with no delay`,
        cases: [
          item('@x/ollama-sim', '@x/ollama-sim', 'ours', call(sim.url, false)),
          item(
            '@x/ollama-sim with a fault plan that never fires',
            '@x/ollama-sim (fault plan)',
            'ours',
            call(faulty.url, false),
          ),
          item('@x/ollama-sim replay', '@x/ollama-sim (replay)', 'ours', call(replay.url, false)),
          item(
            'bare node:http answering the fixture bytes',
            'bare node:http',
            'peer',
            call(bareUrl, false),
          ),
        ],
      },
      {
        name: 'chat, streaming, c=32',
        description: `${CONCURRENCY} concurrent streamed /api/chat requests (14 tokens, chunked NDJSON), the body read whole`,
        cases: [
          item('@x/ollama-sim', '@x/ollama-sim', 'ours', call(sim.url, true)),
          item('@x/ollama-sim replay', '@x/ollama-sim (replay)', 'ours', call(replay.url, true)),
          item(
            'bare node:http answering the fixture bytes (chunked)',
            'bare node:http',
            'peer',
            call(bareUrl, true),
          ),
        ],
      },
    ];
    return {
      groups,
      async close() {
        await agent.close();
        await Promise.all([sim.close(), replay.close(), faulty.close()]);
        await new Promise((r) => {
          bare.close(r);
          bare.closeAllConnections();
        });
      },
    };
  },
};
