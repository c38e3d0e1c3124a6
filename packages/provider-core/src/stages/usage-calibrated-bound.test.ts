import type { CalibrationObservation, Calibrator } from '@x/tokens';
import { describe, expect, it } from 'vitest';
import type { ContextInput, Prepared } from './context';
import { UsageStage } from './usage';

interface Request {
  model: string;
  text: string;
}

const op: ContextInput<Request> = {
  model: (request) => request.model,
  prompt: (request) => ({ text: request.text }),
  checksContext: true,
};

/** A calibrator that knows every model as settled, and counts what the stage asks of it. */
function countingCalibrator() {
  const gets = new Map<string, number>();
  const observes = new Map<string, number>();
  const bump = (counts: Map<string, number>, model: string) =>
    counts.set(model, (counts.get(model) ?? 0) + 1);
  const calibrator = {
    observe(observation: CalibrationObservation) {
      bump(observes, observation.model);
      return true;
    },
    get(model: string) {
      bump(gets, model);
      return { ready: true, observations: 100 };
    },
  } as unknown as Calibrator;
  return { calibrator, gets, observes };
}

function usageStage(calibrator: Calibrator) {
  return new UsageStage<Request>({
    tokens: { calibrator, onOverflow: 'error', reserveOutputTokens: 0, truncationRatio: 0.5 },
    provider: 'openai',
    limit: undefined,
    stats: { drift() {}, truncated() {} } as never,
    topics: { truncated: { active: false } } as never,
    local: false,
    keeps: undefined,
  });
}

function answer(stage: UsageStage<Request>, model: string): void {
  const prepared: Prepared = {
    numCtx: undefined,
    window: undefined,
    estimate: 10,
    charged: undefined,
    queueWaitMs: undefined,
  };
  stage.reconcile(op, { model, text: 'Hello there, my friend.' }, prepared, {
    usage: { promptTokens: 10, completionTokens: 1 },
  });
}

describe('the sampling the usage stage remembers per calibrated model', () => {
  it('forgets the oldest models past 256, and keeps the latest ones as before', () => {
    const { calibrator, gets, observes } = countingCalibrator();
    const stage = usageStage(calibrator);
    const models = Array.from({ length: 300 }, (_, i) => `model-${i}`);
    for (const model of models) answer(stage, model);
    gets.clear();
    observes.clear();

    // Newest first, so that asking again re-adds (and so evicts) nothing until the forgotten ones.
    // A remembered model is asked about only after an answer of it is taught (one `get` per
    // `observe`); a forgotten one is asked once more first, to learn it is ready.
    const forgotten = [...models]
      .reverse()
      .filter((model) => {
        answer(stage, model);
        return (gets.get(model) ?? 0) - (observes.get(model) ?? 0) === 1;
      })
      .reverse();
    expect(forgotten).toEqual(models.slice(0, 300 - 256));
  });

  it('still samples a settled model among the latest 256 one answer in 64', () => {
    const { calibrator, observes } = countingCalibrator();
    const stage = usageStage(calibrator);
    for (let i = 0; i < 300; i++) answer(stage, `other-${i}`);
    // Answers until one is taught, which finds the model settled (100 observations).
    while (observes.get('hot') === undefined) answer(stage, 'hot');
    observes.clear();
    for (let i = 0; i < 64 * 4; i++) answer(stage, 'hot');
    // One in 64 at most (fewer if two came within 100 ms); one in eight had it been forgotten.
    expect(observes.get('hot') ?? 0).toBeLessThanOrEqual(4);
  });
});
