import type { ServerResponse } from 'node:http';
import { isPlainObject } from '@x/internal';
import { type Fixture, fixtureBody, fixtureWrites } from '../fixtures';
import { answerThinks, canonicalJson, sameShape, shapeOf } from './replay-shape';
import type { Responder } from './responder';

interface Entry {
  readonly fixture: Fixture;
  /** The recorded body as canonical JSON. */
  readonly key: string;
  /** Whether the recorded answer carries thinking. */
  readonly thought: boolean;
}

/**
 * Finds the fixture for a request: same method and path, then the same body (key order ignored),
 * else the first compatible one. A real server answers each request from its own content, so a
 * stand-in may only serve a recording whose answer has the shape the request asks for: a 2xx
 * fixture (an error answers only its exact request) with the same `model`, the same effective
 * `stream` mode, tools on both sides or on neither, the same structured-output `format` (none,
 * JSON mode, or the same schema) and the same `think` asked (see `sameShape`). Otherwise the
 * simulator answers itself.
 */
export class FixtureMatcher {
  private readonly entries: Entry[];
  /** Requests answered by a fixture. */
  replayed = 0;
  /** Requests with fixtures for their method and path, none of them compatible. */
  misses = 0;

  constructor(fixtures: readonly Fixture[]) {
    this.entries = fixtures.map((fixture) => ({
      fixture,
      key: canonicalJson(fixture.request.body ?? null),
      thought: answerThinks(fixtureBody(fixture).toString('utf8')),
    }));
  }

  match(method: string, path: string, body: unknown): Fixture | undefined {
    if (this.entries.length === 0) return undefined;
    const candidates = this.entries.filter(
      (x) => x.fixture.request.method === method && x.fixture.request.path === path,
    );
    if (candidates.length === 0) return undefined;
    const found = this.find(candidates, path, body);
    if (found === undefined) this.misses++;
    else this.replayed++;
    return found;
  }

  private find(candidates: readonly Entry[], path: string, body: unknown): Fixture | undefined {
    const key = canonicalJson(body ?? null);
    const exact = candidates.find((x) => x.key === key);
    if (exact) return exact.fixture;
    if (!isPlainObject(body)) return undefined;
    const want = shapeOf(path, body);
    return candidates.find(({ fixture, thought }) => {
      const { status } = fixture.response;
      if (status < 200 || status > 299 || !isPlainObject(fixture.request.body)) return false;
      return sameShape(want, shapeOf(path, fixture.request.body), thought);
    })?.fixture;
  }
}

/**
 * Answers with a fixture byte for byte: its status and headers (its `Date` too), one socket write
 * per `writes` element, `write_delays_ms[i]` before write i (or between writes when there is one
 * delay fewer than writes). Stream faults still apply, write by write.
 */
export async function serveFixture(
  fixture: Fixture,
  out: Responder,
  res: ServerResponse,
): Promise<void> {
  const { response } = fixture;
  const writes = fixtureWrites(fixture);
  const delays = response.write_delays_ms ?? [];
  const headers = response.headers ?? {};
  if (Object.keys(headers).some((h) => h.toLowerCase() === 'date')) res.sendDate = false;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const type = res.getHeader('content-type');
  const streamed =
    response.body === undefined || (typeof type === 'string' && type.includes('ndjson'));
  const size = writes.reduce((n, w) => n + w.length, 0);
  // Go's net/http: Content-Length for a small body written at once, chunked otherwise.
  if (!streamed && !res.hasHeader('content-length') && size <= 2048)
    res.setHeader('Content-Length', size);
  await out.start(response.status, typeof type === 'string' ? type : 'text/plain');
  for (let i = 0; i < writes.length; i++) {
    const delay = delays.length === writes.length - 1 ? (i > 0 ? delays[i - 1] : 0) : delays[i];
    if (delay !== undefined && delay > 0) await out.sleep(delay);
    if (!(await out.chunk(writes[i]!, i === writes.length - 1))) return;
  }
  if (writes.length === 0) out.end();
}
