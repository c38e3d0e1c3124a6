import { recordingLogger } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCalibrator } from './calibrator';
import { loadEncoding, loadedEncodings } from './encodings';
import { estimateTokens, getHeuristicProfile } from './estimate';

afterEach(() => {
  vi.restoreAllMocks();
});

const text = 'The same prompt, counted by a server that changes its mind.';

describe('createCalibrator logger', () => {
  it('logs ignored counts at debug and the model calibrated at info', () => {
    const { logger, entries } = recordingLogger();
    const calibrator = createCalibrator({ logger, minObservations: 2 });
    const heuristic = estimateTokens(text, { provider: 'ollama' }).tokens;
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: 1e15 })).toBe(false);
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: 0 })).toBe(false);
    calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic });
    calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic });
    calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic });
    expect(entries.map(([level, fields]) => [level, fields])).toEqual([
      [
        'debug',
        {
          package: '@x/tokens',
          event: 'count-ignored',
          model: 'ollama/llama3',
          reason: 'implausible',
          actualTokens: 1e15,
          estimatedTokens: heuristic,
        },
      ],
      [
        'debug',
        {
          package: '@x/tokens',
          event: 'count-ignored',
          model: 'ollama/llama3',
          reason: 'empty',
          actualTokens: 0,
          estimatedTokens: heuristic,
        },
      ],
      [
        'info',
        {
          package: '@x/tokens',
          event: 'calibrated',
          model: 'ollama/llama3',
          scale: expect.any(Number),
          overheadTokens: expect.any(Number),
          observations: 2,
        },
      ],
    ]);
  });

  it('logs held outliers at debug, then their use at info', () => {
    const { logger, entries } = recordingLogger();
    const calibrator = createCalibrator({ logger, minObservations: 2 });
    const heuristic = estimateTokens(text, { provider: 'ollama' }).tokens;
    calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic });
    calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic });
    for (let i = 0; i < 3; i++) {
      calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic + 500 });
    }
    const events = entries.map(
      ([level, fields]) => `${level} ${fields.event} ${fields.reason ?? ''}`,
    );
    expect(events).toEqual([
      'info calibrated ',
      'debug count-ignored outlier',
      'debug count-ignored outlier',
      'info outliers-admitted ',
    ]);
    expect(entries[3]![1]).toMatchObject({ model: 'ollama/llama3', count: 3 });
  });

  it('logs a calibration clamped at the bottom of the scale range once, at info', () => {
    const { logger, entries } = recordingLogger();
    const calibrator = createCalibrator({ logger, maxOverheadTokens: 0 });
    const heuristic = estimateTokens(text, { provider: 'ollama' }).tokens;
    const [minScale] = getHeuristicProfile('ollama').scaleRange;
    // Below minScale × estimate (within the slack allowed for rounding): the fit is clamped.
    const low = Math.floor(minScale * heuristic) - 2;
    for (let i = 0; i < 4; i++) {
      expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: low })).toBe(true);
    }
    const clamped = entries.filter(([, fields]) => fields.event === 'calibration-clamped');
    expect(clamped).toEqual([
      [
        'info',
        {
          package: '@x/tokens',
          event: 'calibration-clamped',
          model: 'ollama/llama3',
          scale: minScale,
          overheadTokens: 0,
          observations: 1,
          bound: 'minScale',
        },
        `the calibration of ollama/llama3 is clamped at minScale`,
      ],
    ]);
  });

  it('still accepts the observation when the logger throws, reporting the error as a warning', () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const logger = {
      debug: () => {
        throw new Error('log sink full');
      },
    };
    const calibrator = createCalibrator({ logger });
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: 0 })).toBe(false);
    expect(warning).toHaveBeenCalledWith(
      '@x/tokens: the logger threw: Error: log sink full',
      expect.objectContaining({ type: 'XLoggerError', code: 'X_TOKENS_LOGGER_ERROR' }),
    );
  });

  it('throws a TypeError for a logger without log methods', () => {
    expect(() => createCalibrator({ logger: {} as never })).toThrow(
      new TypeError(
        'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `{}` (object)',
      ),
    );
  });
});

describe('loadEncoding logger', () => {
  it('logs the load once at info, and nothing when the encoding is loaded already', async () => {
    const { logger, entries } = recordingLogger();
    expect(loadedEncodings()).not.toContain('cl100k_base');
    await loadEncoding('cl100k_base', { logger });
    await loadEncoding('cl100k_base', { logger });
    expect(entries).toEqual([
      [
        'info',
        {
          package: '@x/tokens',
          event: 'encoding-loaded',
          encoding: 'cl100k_base',
          durationMs: expect.any(Number),
        },
        expect.stringMatching(/^cl100k_base loaded in \d+ ms$/),
      ],
    ]);
  });
});
