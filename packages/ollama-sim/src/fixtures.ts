import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPlainObject, MAX_TIMER_MS } from '@x/internal';
import { FixtureError } from './errors';

/**
 * A recorded exchange in the shared fixture format: the request that was sent and the exact
 * response bytes (`body`, or separate socket `writes` / `writes_base64`, with optional delays).
 */
export interface Fixture {
  readonly name?: string | undefined;
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly headers?: Readonly<Record<string, string>> | undefined;
    readonly body?: unknown;
  };
  readonly response: {
    readonly status: number;
    readonly headers?: Readonly<Record<string, string>> | undefined;
    readonly body?: string | undefined;
    readonly writes?: readonly string[] | undefined;
    readonly writes_base64?: readonly string[] | undefined;
    readonly write_delays_ms?: readonly number[] | undefined;
  };
  readonly notes?: string | undefined;
}

/** The response of a fixture as the byte chunks to write, one socket write each. */
export function fixtureWrites(fixture: Fixture): Buffer[] {
  const { response } = fixture;
  if (response.writes_base64) return response.writes_base64.map((b) => Buffer.from(b, 'base64'));
  if (response.writes) return response.writes.map((w) => Buffer.from(w, 'utf8'));
  return [Buffer.from(response.body ?? '', 'utf8')];
}

/** The complete response body bytes of a fixture. */
export function fixtureBody(fixture: Fixture): Buffer {
  return Buffer.concat(fixtureWrites(fixture));
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Checks that a value has the fixture shape and returns it typed.
 *
 * @throws {FixtureError} when a field is missing or has the wrong type.
 * @example
 * ```ts
 * const fixture = parseFixture(JSON.parse(text));
 * ```
 */
export function parseFixture(value: unknown, source = 'fixture'): Fixture {
  const fail = (detail: string): never => {
    throw new FixtureError(`Invalid fixture ${source}: ${detail}`, { source });
  };
  if (!isPlainObject(value)) return fail('expected an object');
  // The likeliest mistake: the entries of loadRecordedFixtures() passed as they are.
  if (!('request' in value) && 'fixture' in value && 'file' in value) {
    return fail(
      'got a `{ file, fixture }` entry of loadRecordedFixtures(): pass its `fixture` (`loadRecordedFixtures().map((x) => x.fixture)`)',
    );
  }
  const { request, response } = value;
  if (!isPlainObject(request)) return fail('`request` must be an object');
  if (typeof request.method !== 'string') return fail('`request.method` must be a string');
  if (typeof request.path !== 'string' || !request.path.startsWith('/'))
    return fail('`request.path` must be a string starting with /');
  if (!isPlainObject(response)) return fail('`response` must be an object');
  if (typeof response.status !== 'number' || !Number.isInteger(response.status))
    return fail('`response.status` must be an integer');
  if (response.headers !== undefined && !isPlainObject(response.headers))
    return fail('`response.headers` must be an object');
  const bodies = ['body', 'writes', 'writes_base64'].filter((k) => response[k] !== undefined);
  if (bodies.length !== 1)
    return fail('`response` needs exactly one of `body`, `writes`, `writes_base64`');
  if (response.body !== undefined && typeof response.body !== 'string')
    return fail('`response.body` must be a string');
  if (response.writes !== undefined && !isStringArray(response.writes))
    return fail('`response.writes` must be an array of strings');
  if (response.writes_base64 !== undefined && !isStringArray(response.writes_base64))
    return fail('`response.writes_base64` must be an array of base64 strings');
  const delays = response.write_delays_ms;
  if (
    delays !== undefined &&
    !(
      Array.isArray(delays) &&
      delays.every((d) => typeof d === 'number' && d >= 0 && d <= MAX_TIMER_MS)
    )
  )
    return fail(
      `\`response.write_delays_ms\` must be an array of numbers from 0 to ${MAX_TIMER_MS}`,
    );
  return value as unknown as Fixture;
}

/**
 * Reads and validates a fixture file.
 *
 * @throws {FixtureError} when the file cannot be read, is not JSON, or lacks the fixture shape.
 * @example
 * ```ts
 * const fixture = loadFixture('fixtures/ollama/02-chat-stream.json');
 * const sim = await startOllamaSim({ fixtures: [fixture] });
 * ```
 */
export function loadFixture(path: string): Fixture {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FixtureError(`Cannot read fixture ${path}`, { source: path, cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new FixtureError(`Fixture ${path} is not valid JSON`, { source: path, cause });
  }
  return parseFixture(value, path);
}

/**
 * The directory of the exchanges recorded from a real Ollama (0.32.15) that ship with this package
 * (`fixtures/ollama/*.json`: chat, streaming, generate, tags, show, version, ps, `HEAD /`, 404, 400,
 * 503, tool calls, embed). The one copy in the repository: other packages' tests read them here.
 */
export const recordedFixturesDir: string = fileURLToPath(
  new URL('../fixtures/ollama/', import.meta.url),
);

/**
 * Reads every recorded exchange of {@link recordedFixturesDir}, ordered by file name.
 *
 * @throws {FixtureError} when a file cannot be read or lacks the fixture shape.
 * @example
 * ```ts
 * const sim = await startOllamaSim({ fixtures: loadRecordedFixtures().map((x) => x.fixture) });
 * ```
 */
export function loadRecordedFixtures(): { readonly file: string; readonly fixture: Fixture }[] {
  return readdirSync(recordedFixturesDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, fixture: loadFixture(join(recordedFixturesDir, file)) }));
}
