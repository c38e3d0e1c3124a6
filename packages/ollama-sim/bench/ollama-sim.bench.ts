/**
 * Throughput of @x/ollama-sim (non-streaming and streaming chat) side by side with a bare node:http
 * server that answers the recorded fixture bytes (the floor any Node simulator pays), in one
 * process run. Client: undici with 16 keep-alive connections; each task iteration sends BATCH
 * concurrent requests, so requests/s = iterations/s × BATCH.
 *
 *   pnpm bench            # 5 rounds of about 1 s per task, task order reversed every other round
 *   pnpm bench --quick    # about 0.3 s per task, 1 round (smoke run)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { Agent, request } from 'undici';
import { fixtureBody, loadFixture, recordedFixturesDir, startOllamaSim } from '../src/index';

const quick = process.argv.includes('--quick');
const BATCH = 32;
const ROUNDS = quick ? 1 : 5;
const dir = recordedFixturesDir;
const nonStream = loadFixture(join(dir, '01-chat-nonstream.json'));
const stream = loadFixture(join(dir, '02-chat-stream.json'));

// Peer: the least a server can do, answering the recorded bytes with no parsing at all.
const bareBodies = { nonStream: fixtureBody(nonStream), stream: fixtureBody(stream) };
const bare = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const streaming = Buffer.concat(chunks).includes('"stream":false') === false;
    if (streaming) {
      // Chunked, as Ollama frames streams (res.end(body) alone would send Content-Length).
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

const sim = await startOllamaSim({
  tokensPerSecond: 0,
  responseTokens: { min: 14, max: 14 },
  maxLogEntries: 0,
});
const replay = await startOllamaSim({ fixtures: [nonStream, stream], maxLogEntries: 0 });
const faulty = await startOllamaSim({
  tokensPerSecond: 0,
  responseTokens: { min: 14, max: 14 },
  maxLogEntries: 0,
  // A plan that is evaluated on every request but never fires: the fault picker's own cost.
  faults: [{ route: '/api/chat', fault: { kind: 'latency', ms: 1 }, probability: 0 }],
});

const agent = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
const chatBody = (streaming: boolean) =>
  JSON.stringify({
    model: 'llama3.2',
    messages: [{ role: 'user', content: 'Why is the sky blue?' }],
    stream: streaming,
  });
const bodies = { true: chatBody(true), false: chatBody(false) };

async function batch(url: string, streaming: boolean): Promise<void> {
  const body = bodies[String(streaming) as 'true'];
  await Promise.all(
    Array.from({ length: BATCH }, async () => {
      const res = await request(`${url}/api/chat`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        dispatcher: agent,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200 || !text.includes('"done":true'))
        throw new Error(`bad answer ${res.statusCode}`);
    }),
  );
}

const tasks: [string, () => Promise<void>][] = [
  ['non-stream: bare node:http (fixture bytes)', () => batch(bareUrl, false)],
  ['non-stream: @x/ollama-sim', () => batch(sim.url, false)],
  ['non-stream: @x/ollama-sim + fault plan', () => batch(faulty.url, false)],
  ['non-stream: @x/ollama-sim replay', () => batch(replay.url, false)],
  ['stream: bare node:http (fixture bytes)', () => batch(bareUrl, true)],
  ['stream: @x/ollama-sim (14 tokens)', () => batch(sim.url, true)],
  ['stream: @x/ollama-sim replay', () => batch(replay.url, true)],
];

const results = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: quick ? 300 : 800, warmupTime: quick ? 100 : 200 });
  // The shared machine's load drifts: alternate the order so no task always runs first.
  for (const [name, fn] of round % 2 === 0 ? tasks : [...tasks].reverse()) bench.add(name, fn);
  await bench.run();
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    const list = results.get(task.name) ?? [];
    list.push(r.throughput.mean * BATCH);
    results.set(task.name, list);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rps = new Map([...results].map(([k, v]) => [k, median(v)]));
const rows = [...rps].map(([name, value]) => {
  const peer = name.startsWith('stream')
    ? 'stream: bare node:http (fixture bytes)'
    : 'non-stream: bare node:http (fixture bytes)';
  return {
    task: name,
    'requests/s': Math.round(value),
    'vs bare node:http': `${(value / rps.get(peer)!).toFixed(2)}x`,
  };
});
console.log(
  `@x/ollama-sim throughput, ${BATCH} concurrent requests, 16 connections, median of ${ROUNDS} round(s), ${new Date().toISOString()}`,
);
console.table(rows);

await agent.close();
await Promise.all([sim.close(), replay.close(), faulty.close()]);
await new Promise((r) => {
  bare.close(r);
  bare.closeAllConnections();
});
