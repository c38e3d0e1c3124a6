import type { BenchContext, Suite } from './context';
import { groupTicks, runGroup } from './micro';
import type { Entry } from './registry';
import type { SuiteResult } from './results';

/** An error as one line: its name and message. */
export function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** True when `e` says a module could not be loaded (a package that is not built). */
export function isMissingModule(e: unknown): boolean {
  const code = (e as { code?: string } | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return (
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /Cannot find (module|package)|Failed to resolve entry/.test(message)
  );
}

/** The reason a suite or scenario whose packages are not built is skipped. */
export function notBuilt(e: unknown): string {
  return `a package it needs is not built (${describe(e).slice(0, 160)}); run \`pnpm build\` first`;
}

/**
 * One micro suite in this process: prepared, every group run, closed. `failed` is true when it
 * threw for another reason than a package that is not built (which only skips it).
 */
export async function runSuite(
  entry: Entry<Suite>,
  ctx: BenchContext,
): Promise<{ result: SuiteResult; failed: boolean }> {
  const s0 = performance.now();
  const result: SuiteResult = {
    name: entry.name,
    title: entry.name,
    kind: 'micro',
    groups: [],
    notes: [],
    durationMs: 0,
  };
  let failed = false;
  try {
    const suite = await entry.load();
    result.title = suite.title;
    const prepared = await suite.prepare(ctx);
    try {
      const ticks = prepared.groups.reduce((n, g) => n + groupTicks(g, ctx.profile), 0);
      ctx.progress.start(entry.name, ticks);
      for (const group of prepared.groups) {
        result.groups.push(await runGroup(group, ctx.profile, ctx.progress));
      }
      ctx.progress.done();
      result.notes.push(...(prepared.notes ?? []));
    } finally {
      await prepared.close?.();
    }
  } catch (e) {
    ctx.progress.done();
    if (isMissingModule(e)) result.skipped = notBuilt(e);
    else {
      failed = true;
      result.skipped = `failed: ${describe(e)}`;
    }
  }
  result.durationMs = Math.round(performance.now() - s0);
  return { result, failed };
}
