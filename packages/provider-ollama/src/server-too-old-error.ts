import { hasBrand, mark, quoted } from '@x/internal';
import { BRAND } from './error-codes';

/**
 * A request field that the server's version does not honour: older servers drop a field they do
 * not know without a word (`logprobs` before 0.12.11, `think` before 0.9.0...), so the answer
 * would come back without what was asked, and nothing would say why. Refused before anything is
 * sent, after one `/api/version` lookup per provider. A `RangeError`, as every other value this
 * server cannot take (the request is well formed, this server cannot honour it): no `code`, like
 * the other argument errors; `isServerTooOldError(e)` checks its brand, across duplicate installs.
 * `unsupportedBy: 'server'` says the request is not at fault, this server is: a router
 * (`@x/router`) tries its next deployment, which a newer server may be, rather than failing the call.
 */
export class ServerTooOldError extends RangeError {
  /** The field as the request names it: `request.logprobs`. */
  readonly field: string;
  /** The first Ollama release that honours it: `0.12.11`. */
  readonly minVersion: string;
  /** The server's version, as its `/api/version` says it: `0.12.3`. */
  readonly serverVersion: string;
  /**
   * Who cannot take the request: this server, not the caller (a newer server takes it as is).
   * Read by `@x/router` as a property, so that it depends on no provider.
   */
  readonly unsupportedBy: 'server';

  constructor(init: {
    field: string;
    value: unknown;
    minVersion: string;
    serverVersion: string;
    older: string;
  }) {
    const value = typeof init.value === 'string' ? quoted(init.value) : String(init.value);
    super(
      `\`${init.field}\` \`${value}\` needs Ollama ${init.minVersion} or later, and this server is ${init.serverVersion}: an older server ${init.older}. Upgrade Ollama, or leave the field out (nothing was sent)`,
    );
    this.name = 'ServerTooOldError';
    this.field = init.field;
    this.minVersion = init.minVersion;
    this.serverVersion = init.serverVersion;
    this.unsupportedBy = 'server';
    mark(this, BRAND.serverTooOld);
  }
}

/** True for a {@link ServerTooOldError} (checks the brand, works across duplicate installs). */
export const isServerTooOldError = (error: unknown): error is ServerTooOldError =>
  hasBrand(error, BRAND.serverTooOld);
