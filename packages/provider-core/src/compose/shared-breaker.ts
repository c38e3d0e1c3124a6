import type { BreakerClassifier, BreakerOutcome } from '@x/breaker';
import type { ErrorKit } from '../error-kit';
import type { HttpErrorMapper } from '../http/failures';
import { classifyForBreaker } from './classify';

/**
 * What each provider's own classification said of the errors it created. A breaker shared by
 * providers of different kinds has one `classify`, but each kind judges its errors its own way
 * (`@x/provider-openai` ignores a retryable 429, which its limiter already paces): the provider
 * records its verdict as it creates an error, and the shared breaker reads it.
 */
interface SharedJudge {
  readonly verdicts: WeakMap<object, BreakerOutcome>;
  readonly classify: BreakerClassifier;
}

/**
 * The verdicts and the shared `classify`, kept on `globalThis` so that every copy of this package
 * in the process hands `sharedBreaker()` the same function (its options then compare equal) and
 * reads the verdicts every copy records. This shape is shared by every version: never change it.
 */
function sharedJudge(): SharedJudge {
  const key = Symbol.for('x.provider-core.shared-breaker');
  const global = globalThis as { [key: symbol]: SharedJudge | undefined };
  let judge = global[key];
  if (judge === undefined) {
    const verdicts = new WeakMap<object, BreakerOutcome>();
    judge = {
      verdicts,
      classify: (error, context) => {
        if (context.callerAborted) return 'ignore';
        const verdict =
          typeof error === 'object' && error !== null ? verdicts.get(error as object) : undefined;
        return verdict ?? classifyForBreaker(error, context);
      },
    };
    global[key] = judge;
  }
  return judge;
}

const { verdicts, classify: shared } = sharedJudge();

/**
 * The `classify` of every breaker shared through a provider's `share` option: the verdict of the
 * provider that created the error, else the default classification. One function in the process,
 * so that providers of any kind ask for the shared breaker with equal options.
 */
export const classifyShared: BreakerClassifier = shared;

function judged<T>(classify: BreakerClassifier, error: T): T {
  if (typeof error === 'object' && error !== null) {
    verdicts.set(error, classify(error, { callerAborted: false }));
  }
  return error;
}

/**
 * The provider's error constructors and HTTP error mapping, recording `classify`'s verdict on
 * every error they create. Only needed when the provider's classification is not the default.
 */
export function judging(
  kit: ErrorKit,
  httpError: HttpErrorMapper,
  classify: BreakerClassifier,
): { kit: ErrorKit; httpError: HttpErrorMapper } {
  const wrapped: Record<string, unknown> = { origin: kit.origin };
  for (const [name, make] of Object.entries(kit)) {
    if (typeof make === 'function') {
      wrapped[name] = (...args: unknown[]) => judged(classify, make.apply(kit, args));
    }
  }
  return {
    kit: Object.freeze(wrapped) as unknown as ErrorKit,
    httpError: (failure) => judged(classify, httpError(failure)),
  };
}
