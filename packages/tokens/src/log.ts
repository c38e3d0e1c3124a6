import type { PackageLog } from '@x/internal';
import type { CalibrationState } from './calibrator';
import type { EncodingName } from './types';

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type TokensLogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The `logger` option of `createCalibrator` and `loadEncoding`: pino, `console`, or any object
 * with some of these methods (a level it lacks falls back to `log`, else is skipped).
 */
export interface TokensLogger {
  debug?: TokensLogMethod | undefined;
  info?: TokensLogMethod | undefined;
  warn?: TokensLogMethod | undefined;
  error?: TokensLogMethod | undefined;
  log?: TokensLogMethod | undefined;
}

/** Why an observation was not used. */
export type IgnoredReason = 'empty' | 'implausible' | 'outlier';

const IGNORED: Record<IgnoredReason, string> = {
  empty: 'an empty input or a zero count',
  implausible: 'no prompt of this size can have that count (a partial or absurd count)',
  outlier: 'far from the calibration: held until more agree',
};

/** An observation the calibrator did not use: `debug`, since `observe` runs once per call. */
export function logIgnored(
  log: PackageLog,
  model: string,
  reason: IgnoredReason,
  actualTokens: number,
  estimatedTokens: number,
): void {
  if (!log.enabled) return;
  log.debug(
    { event: 'count-ignored', model, reason, actualTokens, estimatedTokens },
    `ignored a count of ${actualTokens} tokens for ${model}: ${IGNORED[reason]}`,
  );
}

/** Outliers agreed with each other: the server (or the model behind a name) seems to have changed. */
export function logOutliersAdmitted(log: PackageLog, model: string, count: number): void {
  if (!log.enabled) return;
  log.info(
    { event: 'outliers-admitted', model, count },
    `${count} counts for ${model} far from its calibration agree: using them`,
  );
}

/**
 * A model's new calibration, logged at `info` when it changes state: it became ready, or its fit
 * reached a bound (the scale clamped to the profile's range, the overhead to `maxOverheadTokens`),
 * which says the server counts differently from what the profile allows.
 */
export function logCalibration(
  log: PackageLog,
  before: CalibrationState | undefined,
  after: CalibrationState,
  bounds: { minScale: number; maxScale: number; maxOverhead: number },
): void {
  if (!log.enabled) return;
  const fields = {
    model: after.key,
    scale: after.scale,
    overheadTokens: after.overheadTokens,
    observations: after.observations,
  };
  if (after.ready && !before?.ready) {
    log.info({ event: 'calibrated', ...fields }, `${after.key} is calibrated`);
  }
  const bound = boundOf(after, bounds);
  if (bound !== undefined && (before === undefined || boundOf(before, bounds) !== bound)) {
    log.info(
      { event: 'calibration-clamped', ...fields, bound },
      `the calibration of ${after.key} is clamped at ${bound}`,
    );
  }
}

function boundOf(
  state: CalibrationState,
  bounds: { minScale: number; maxScale: number; maxOverhead: number },
): 'minScale' | 'maxScale' | 'maxOverhead' | undefined {
  if (state.scale <= bounds.minScale) return 'minScale';
  if (state.scale >= bounds.maxScale) return 'maxScale';
  if (state.overheadTokens >= bounds.maxOverhead && bounds.maxOverhead > 0) return 'maxOverhead';
  return undefined;
}

/** Logs how a `loadEncoding` ended: `info` once loaded, `warn` when it failed. */
export async function logEncodingLoad(
  log: PackageLog,
  encoding: EncodingName,
  loading: Promise<void>,
): Promise<void> {
  const started = performance.now();
  try {
    await loading;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    log.warn(
      {
        event: 'encoding-load-failed',
        encoding,
        code: typeof code === 'string' ? code : undefined,
      },
      `${encoding} could not be loaded`,
    );
    throw error;
  }
  const durationMs = Math.round(performance.now() - started);
  log.info(
    { event: 'encoding-loaded', encoding, durationMs },
    `${encoding} loaded in ${durationMs} ms`,
  );
}
