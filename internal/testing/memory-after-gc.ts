import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * `process.memoryUsage()` after a full collection, for tests that bound what a feature retains.
 * `--expose-gc` is set at run time and `gc` taken from a new context, so the test runner needs no
 * Node flag. Two passes: memory a first pass only releases to a finalizer or a weak callback
 * (external buffers among them) is counted out by the second.
 */
export function memoryAfterGc(): NodeJS.MemoryUsage {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  return process.memoryUsage();
}
