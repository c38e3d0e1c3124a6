import { fail } from './args';
import { describeThrown, reportRejection, warnSafely } from './thrown';

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type LogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The logger a package accepts: pino, `console`, or anything with some of these methods. A level
 * the logger lacks falls back to `log`; a logger with neither skips that level.
 */
export interface Logger {
  debug?: LogMethod | undefined;
  info?: LogMethod | undefined;
  warn?: LogMethod | undefined;
  error?: LogMethod | undefined;
  log?: LogMethod | undefined;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Checks a `logger` option: undefined (silent), or an object with at least one of `debug`, `info`,
 * `warn`, `error` or `log` as a function. Returns it.
 */
export function expectLogger(name: string, value: unknown): Logger | undefined {
  if (value === undefined) return undefined;
  const ok =
    typeof value === 'object' &&
    value !== null &&
    [...LEVELS, 'log'].some(
      (level) => typeof (value as Record<string, unknown>)[level] === 'function',
    );
  if (!ok)
    fail(name, 'a logger with debug, info, warn, error or log methods (pino, console)', value);
  return value as Logger;
}

/** The fields every entry of a package carries: `package` and `event`, then the entry's own. */
export interface LogFields {
  /** What happened, in kebab-case (`retry`, `call-failed`, `breaker-open`). */
  event: string;
  [field: string]: unknown;
}

/**
 * One package's log: the one format every `@x` package writes, `logger.<level>({ package, event,
 * ...fields }, message)`. Field names are shared (`package`, `event`, `provider`, `model`,
 * `code`, `endpoint`...), so a query over one package's entries works over another's.
 *
 * Silent without a logger (`enabled` is false: skip building the fields). String fields and the
 * message go through `redact` first, so a secret that slipped into a server text never reaches a
 * log. A logger that throws never fails the caller: the error is reported once per throw with
 * `process.emitWarning` (type `XLoggerError`, code `X_<PACKAGE>_LOGGER_ERROR`).
 */
export class PackageLog {
  readonly #logger: Logger | undefined;
  readonly #pkg: string;
  readonly #base: Readonly<Record<string, unknown>>;
  readonly #redact: (text: string) => string;

  /**
   * @param pkg the package name without scope (`provider-ollama`); entries carry `@x/<pkg>`
   * @param base fields every entry carries after `package` (`{ provider: 'ollama' }`)
   * @param redact scrubs secrets out of string fields and the message
   */
  constructor(
    pkg: string,
    logger: Logger | undefined,
    base: Record<string, unknown> = {},
    redact: (text: string) => string = (text) => text,
  ) {
    this.#pkg = pkg;
    this.#logger = logger;
    this.#base = { package: `@x/${pkg}`, ...base };
    this.#redact = redact;
  }

  /** True when a logger was given: build fields only then. */
  get enabled(): boolean {
    return this.#logger !== undefined;
  }

  debug(fields: LogFields, message: string): void {
    this.write('debug', fields, message);
  }

  info(fields: LogFields, message: string): void {
    this.write('info', fields, message);
  }

  warn(fields: LogFields, message: string): void {
    this.write('warn', fields, message);
  }

  error(fields: LogFields, message: string): void {
    this.write('error', fields, message);
  }

  write(level: LogLevel, fields: LogFields, message: string): void {
    const logger = this.#logger;
    if (logger === undefined) return;
    const method = logger[level] ?? logger.log;
    if (typeof method !== 'function') return;
    const entry: Record<string, unknown> = { ...this.#base };
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      entry[key] = typeof value === 'string' ? this.#redact(value) : value;
    }
    try {
      // pino and console return nothing; an `async` method returns a promise whose rejection
      // would otherwise be unhandled, and crash the process, in every package that logs.
      reportRejection(method.call(logger, entry, this.#redact(message)), this.#report);
    } catch (error) {
      this.#report(error);
    }
  }

  // An arrow, so it can be handed to a promise as its rejection handler. The package's own
  // `redact` too: a logger's error may quote the entry it failed to write.
  readonly #report = (error: unknown): void => {
    warnSafely(`@x/${this.#pkg}: the logger threw: ${this.#redact(describeThrown(error))}`, {
      type: 'XLoggerError',
      code: `X_${this.#pkg.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_LOGGER_ERROR`,
    });
  };
}
