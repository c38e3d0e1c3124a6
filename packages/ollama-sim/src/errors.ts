import { brand, errorJSON, hasBrand, hideSecretShapes, mark } from '@x/internal';
import { shownHost } from './internal/listen-host';

const FIXTURE_BRAND = brand('ollama-sim', 'FixtureError');
const CLOSED_BRAND = brand('ollama-sim', 'SimClosedError');
const LISTEN_BRAND = brand('ollama-sim', 'ListenError');

/** Error codes of `@x/ollama-sim`. Stable: renaming one is a breaking change. */
export type OllamaSimErrorCode =
  | 'X_OLLAMA_SIM_FIXTURE_INVALID'
  | 'X_OLLAMA_SIM_CLOSED'
  | 'X_OLLAMA_SIM_LISTEN_FAILED';

/**
 * A fixture file could not be read or does not have the shared fixture shape.
 *
 * @example
 * ```ts
 * try { loadFixture('x.json'); } catch (e) { if (isFixtureError(e)) console.error(e.source); }
 * ```
 */
export class FixtureError extends Error {
  override readonly name = 'FixtureError';
  readonly code = 'X_OLLAMA_SIM_FIXTURE_INVALID' as const;
  /** The file path (or label) of the fixture. */
  readonly source: string;

  constructor(message: string, options: { source: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.source = options.source;
    mark(this, FIXTURE_BRAND);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

/**
 * A method that needs a running simulator (`setFaults`, `restart`, …) was called after `close()`.
 *
 * @example
 * ```ts
 * await sim.close();
 * sim.setFaults([]); // throws SimClosedError
 * ```
 */
export class SimClosedError extends Error {
  override readonly name = 'SimClosedError';
  readonly code = 'X_OLLAMA_SIM_CLOSED' as const;

  constructor(operation: string) {
    super(`Cannot ${operation}: the Ollama simulator is closed`);
    mark(this, CLOSED_BRAND);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

/**
 * What to do about a port already taken, the usual failure (another simulator, or an Ollama on
 * 11434): the error alone says what failed but not that the simulator can pick a free port.
 */
function remedy(cause: unknown): string {
  const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
  if (code !== 'EADDRINUSE') return '';
  return ' (the port is in use: pass `port: 0` to listen on any free port and read it from `sim.url`, or `--port 0` on the command line)';
}

/**
 * The simulator could not listen on its host and port (for example the port is taken).
 *
 * @example
 * ```ts
 * try { await startOllamaSim({ port: 11434 }); } catch (e) { if (isListenError(e)) console.error(e.port); }
 * ```
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code = 'X_OLLAMA_SIM_LISTEN_FAILED' as const;
  /** The host it tried, any userinfo or token-like part replaced by `[redacted]`. */
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number, cause: unknown) {
    // `startOllamaSim` refuses a host holding a credential, but one that gets here anyway (and
    // the DNS error quoting it) must not show it: its userinfo and token-like parts are hidden.
    const shown = shownHost(host);
    const raw = cause instanceof Error ? cause.message : String(cause);
    const reason = hideSecretShapes(host === '' ? raw : raw.replaceAll(host, shown));
    super(`Cannot listen on ${shown}:${port}: ${reason}${remedy(cause)}`, { cause });
    this.host = shown;
    this.port = port;
    mark(this, LISTEN_BRAND);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

/** True for a {@link FixtureError}, also across duplicate installs. */
export function isFixtureError(error: unknown): error is FixtureError {
  return hasBrand(error, FIXTURE_BRAND);
}

/** True for a {@link SimClosedError}, also across duplicate installs. */
export function isSimClosedError(error: unknown): error is SimClosedError {
  return hasBrand(error, CLOSED_BRAND);
}

/** True for a {@link ListenError}, also across duplicate installs. */
export function isListenError(error: unknown): error is ListenError {
  return hasBrand(error, LISTEN_BRAND);
}

/** True for any error thrown by `@x/ollama-sim`. */
export function isOllamaSimError(
  error: unknown,
): error is FixtureError | SimClosedError | ListenError {
  return isFixtureError(error) || isSimClosedError(error) || isListenError(error);
}
