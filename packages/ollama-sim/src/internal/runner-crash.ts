import type { RunnerCrashFault } from '../faults';

/**
 * What llama-server's getServerStatus reports for a process that exited (llm/llama_server.go):
 * `%s %s` of the exit status and the last error line, so an empty line leaves a trailing space,
 * which chat and generate pass on and the embed handlers trim. ExitStatus prints -1 (killed by a
 * signal) as `unknown` and 0 as `OK` (llm/exit_status.go).
 */
export function runnerCrashText(fault: RunnerCrashFault): string {
  const code = fault.exitStatus ?? 1;
  const status = code === -1 ? 'unknown' : code === 0 ? 'OK' : `exit status ${code}`;
  return `llama-server process no longer running: ${status} ${fault.lastError ?? ''}`;
}
