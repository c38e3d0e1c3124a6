import { join, sep } from 'node:path';
import { until } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { send, settlesSoon, sharedFixtures } from './__fixtures__/client';
import { isFixtureError } from './errors';
import {
  type Fixture,
  fixtureBody,
  loadFixture,
  loadRecordedFixtures,
  parseFixture,
  recordedFixturesDir,
} from './fixtures';
import { type OllamaSim, startOllamaSim } from './sim';

let sim: OllamaSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('fixture replay', () => {
  const all = sharedFixtures();

  it('reads the recorded exchanges from the fixtures/ollama folder the package ships', () => {
    expect(recordedFixturesDir).toBe(join(import.meta.dirname, '..', 'fixtures', 'ollama') + sep);
    expect(loadRecordedFixtures().map((x) => x.fixture)).toEqual(all.map((x) => x.fixture));
  });

  it('says what to pass when an entry of loadRecordedFixtures() is passed as a fixture', async () => {
    const [entry] = loadRecordedFixtures();
    expect(() => parseFixture(entry, 'fixtures[0]')).toThrow(
      'Invalid fixture fixtures[0]: got a `{ file, fixture }` entry of loadRecordedFixtures(): pass its `fixture`',
    );
    await expect(startOllamaSim({ fixtures: [entry as unknown as Fixture] })).rejects.toThrow(
      'pass its `fixture`',
    );
  });

  it('finds every shared fixture when the package is tested alone', () => {
    expect(all.map((x) => x.file)).toEqual([
      '01-chat-nonstream.json',
      '02-chat-stream.json',
      '03-generate-stream.json',
      '04-tags.json',
      '05-show-llama3.2.json',
      '07-version.json',
      '08-ps.json',
      '09-health-head.json',
      '10-chat-404-model-not-found.json',
      '11-chat-400-bad-keep-alive.json',
      '13-chat-503-queue-full.json',
      '14-chat-tool-calls.json',
      '17-embed.json',
    ]);
  });

  for (const { file, fixture } of all) {
    it(`answers byte for byte when replaying ${file}`, async () => {
      sim = await startOllamaSim({ fixtures: all.map((x) => x.fixture) });
      const res = await send(sim.url, fixture.request.path, {
        method: fixture.request.method,
        body: fixture.request.body ?? undefined,
      });
      expect(res.status).toBe(fixture.response.status);
      expect(res.headers['content-type']).toBe(fixture.response.headers?.['Content-Type']);
      expect(res.headers.date).toBe(fixture.response.headers?.Date);
      expect(res.body.equals(fixtureBody(fixture))).toBe(true);
      if (fixture.request.method === 'HEAD') expect(res.headers['content-length']).toBe('17');
    });
  }
});

describe('fixture replay with writes', () => {
  it('sends each element of writes as its own write, with delays between them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const fixture = parseFixture({
        request: { method: 'GET', path: '/api/version', body: null },
        response: {
          status: 200,
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          writes: ['{"vers', 'ion":"9.9.9"}'],
          write_delays_ms: [400],
        },
      });
      sim = await startOllamaSim({ fixtures: [fixture] });
      const pending = send(sim.url, '/api/version');
      await until(() => sim!.stats().requests === 1);
      expect(await settlesSoon(pending)).toBe(false);
      await vi.advanceTimersByTimeAsync(400);
      const res = await pending;
      expect(res.chunks.map((c) => c.toString())).toEqual(['{"vers', 'ion":"9.9.9"}']);
      expect(res.headers['transfer-encoding']).toBe('chunked');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('parseFixture', () => {
  it('throws a FixtureError naming the field when the response has no body', () => {
    let caught: unknown;
    try {
      parseFixture({ request: { method: 'GET', path: '/' }, response: { status: 200 } }, 'x.json');
    } catch (e) {
      caught = e;
    }
    expect(isFixtureError(caught)).toBe(true);
    expect((caught as Error).message).toContain('exactly one of `body`, `writes`, `writes_base64`');
    expect((caught as { code: string }).code).toBe('X_OLLAMA_SIM_FIXTURE_INVALID');
  });

  it('throws a FixtureError when a write delay exceeds the 2^31-1 ms timer limit', () => {
    const fixture = {
      request: { method: 'GET', path: '/' },
      response: { status: 200, writes: ['a', 'b'], write_delays_ms: [2 ** 31] },
    };
    expect(() => parseFixture(fixture, 'slow.json')).toThrow(
      'Invalid fixture slow.json: `response.write_delays_ms` must be an array of numbers from 0 to 2147483647',
    );
  });

  it('throws a FixtureError when the file does not exist', () => {
    expect(() => loadFixture('/nonexistent/fixture.json')).toThrow(/Cannot read fixture/);
  });
});
