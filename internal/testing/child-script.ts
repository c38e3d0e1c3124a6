import { execFile } from 'node:child_process';

/** What a child process ended with: its exit code (0, or the error's), and its output. */
export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `body` as an ES module in a child Node process (through tsx), after `import * as <as> from
 * <entry>`: for what only a fresh process shows, such as whether Node's event loop stays alive
 * while a call is pending (an unref'd timer would let it exit with an unsettled top-level await,
 * code 13) or exits once everything is closed. Bounded: the child is killed after `timeoutMs`.
 */
export function runModuleScript(
  entry: string,
  as: string,
  body: string,
  timeoutMs = 20_000,
): Promise<ChildResult> {
  const source = `import * as ${as} from ${JSON.stringify(entry)};\n${body}`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', source],
      { timeout: timeoutMs },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error.code as number) ?? -1) : 0, stdout, stderr }),
    );
  });
}
