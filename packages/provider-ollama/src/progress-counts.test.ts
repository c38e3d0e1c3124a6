// Progress counts of `pull()`, `push()` and `create()` from a server that sends numbers no transfer
// has: a count is bytes (a non-negative safe integer), `completed` at most a known `total`;
// anything else is unknown (`undefined`), never a number a progress bar would print.
import type { ServerResponse } from 'node:http';
import { pullAll } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { fixtureSetup } from './__fixtures__/server';
import type { OllamaProvider } from './provider';
import type { ProgressEvent } from './types';

const { setup } = fixtureSetup();

/** One progress line per entry of `counts`, then `success`. */
function progress(counts: Array<Record<string, unknown>>) {
  return (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    // Written as JSON text: `1e308` and `-0` survive, as a server would send them.
    for (const [i, line] of counts.entries()) {
      const fields = Object.entries(line).map(([k, v]) => `"${k}":${String(v)}`);
      res.write(`{"status":"pulling ${i}","digest":"sha256:${i}",${fields.join(',')}}\n`);
    }
    res.end('{"status":"success"}\n');
  };
}

const LINES: Array<[string, Record<string, unknown>, Pick<ProgressEvent, 'total' | 'completed'>]> =
  [
    ['negative counts', { total: -5, completed: -1 }, { total: undefined, completed: undefined }],
    ['an absurd completed', { total: 100, completed: 1e308 }, { total: 100, completed: undefined }],
    ['an absurd total', { total: 1e308, completed: 5 }, { total: undefined, completed: 5 }],
    ['a total past 2^53', { total: 2 ** 53, completed: 0 }, { total: undefined, completed: 0 }],
    ['fractions', { total: 10.5, completed: 0.5 }, { total: undefined, completed: undefined }],
    ['completed past total', { total: 100, completed: 101 }, { total: 100, completed: undefined }],
    ['strings', { total: '"100"', completed: '"5"' }, { total: undefined, completed: undefined }],
    // What Ollama sends, kept as is.
    ['a layer half done', { total: 100, completed: 50 }, { total: 100, completed: 50 }],
    ['a layer done', { total: 100, completed: 100 }, { total: 100, completed: 100 }],
    ['an empty layer', { total: 0, completed: 0 }, { total: 0, completed: 0 }],
    ['no total yet', { completed: 7 }, { total: undefined, completed: 7 }],
  ];

const CALLS: Array<[string, string, (p: OllamaProvider) => AsyncIterable<ProgressEvent>]> = [
  ['pull', '/api/pull', (p) => p.pull({ model: 'llama3.2' })],
  ['push', '/api/push', (p) => p.push({ model: 'me/llama3.2' })],
  ['create', '/api/create', (p) => p.create({ model: 'mine', from: 'llama3.2' })],
];

describe.each(CALLS)('%s() progress counts from a hostile server', (_name, path, call) => {
  it('reports counts that are not bytes, or completed past total, as unknown', async () => {
    const { provider } = await setup({ [path]: progress(LINES.map(([, line]) => line)) });
    const events = await pullAll(call(provider)[Symbol.asyncIterator]());
    expect(events).toHaveLength(LINES.length + 1);
    for (const [i, [what, , expected]] of LINES.entries()) {
      const { total, completed } = events[i]!;
      expect({ what, total, completed }).toEqual({ what, ...expected });
    }
    expect(events.at(-1)).toEqual({
      status: 'success',
      digest: undefined,
      total: undefined,
      completed: undefined,
    });
  });
});
