// Run in a child process by process-lifetime.test.ts: a script whose only pending work is a
// half-open probe that never settles. The probe's timeout must keep the process alive until it
// fires, so the script prints the probe-timeout error's code instead of exiting silently.
import { createBreaker, isBreakerProbeTimeoutError } from '../index';

const breaker = createBreaker({ openTimeoutMs: 0, probeTimeoutMs: 200 });
breaker.open();
breaker
  .execute(() => new Promise<never>(() => {}))
  .then(
    () => console.log('resolved'),
    (error: unknown) =>
      console.log(isBreakerProbeTimeoutError(error) ? error.code : `other error: ${String(error)}`),
  );
