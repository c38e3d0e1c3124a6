/** Terminal output of the demo: numbered steps, a few lines of explanation, then real results. */

/** stdout is a terminal: progress is redrawn in place there, printed as lines elsewhere. */
export const tty = Boolean(process.stdout.isTTY);
const colour = tty && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string) => paint('1', s);
export const dim = (s: string) => paint('2', s);
export const green = (s: string) => paint('32', s);
export const red = (s: string) => paint('31', s);
export const yellow = (s: string) => paint('33', s);
export const cyan = (s: string) => paint('36', s);

export interface Out {
  /** A step heading, e.g. `3/12  Outage: the circuit breaker opens...`. */
  heading(title: string): void;
  /** What the step shows, in a few lines (dimmed). */
  explain(...lines: string[]): void;
  /** A result line, indented. */
  line(text?: string): void;
  /** Writes without a newline (streamed tokens). */
  write(text: string): void;
  /** Milliseconds since the demo started, for timelines. */
  now(): number;
}

export function createOut(write: (s: string) => void = (s) => process.stdout.write(s)): Out {
  const t0 = performance.now();
  return {
    heading(title) {
      write(`\n${bold(cyan(title))}\n`);
    },
    explain(...lines) {
      for (const l of lines) write(`${dim(`  ${l}`)}\n`);
    },
    line(text = '') {
      write(`  ${text}\n`);
    },
    write(text) {
      write(text);
    },
    now: () => performance.now() - t0,
  };
}

/**
 * Lines written by event listeners (a breaker's state change, a router's cooldown). A listener
 * runs inside the call that caused the event, before that call returns: while a call is in
 * flight (`hold()` ... `flush()`) its event lines are kept and printed after the call's own result
 * line, so the output reads in cause-and-effect order. Outside a call they are printed at once.
 */
export interface EventLines {
  line(text: string): void;
  /** A call starts: keep event lines until `flush()`. */
  hold(): void;
  /** The call's result line is printed: print what it caused. */
  flush(): void;
}

export function createEventLines(out: Out): EventLines {
  let held: string[] | undefined;
  return {
    line(text) {
      if (held === undefined) out.line(text);
      else held.push(text);
    },
    hold() {
      held ??= [];
    },
    flush() {
      const lines = held ?? [];
      held = undefined;
      for (const l of lines) out.line(l);
    },
  };
}

export function ms(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '?';
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  if (n >= 10) return `${n.toFixed(0)} ms`;
  if (n >= 1) return `${n.toFixed(1)} ms`;
  return `${(n * 1000).toFixed(0)} µs`;
}

export function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(0)}%`;
}

export function usd(n: number | undefined): string {
  if (n === undefined) return 'unknown';
  if (n === 0) return '$0 (local)';
  return n < 0.01 ? `$${n.toFixed(6)}` : `$${n.toFixed(4)}`;
}

/** A pause that keeps the process alive (the demo waits for it on purpose). */
export function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}

/** Every `sha256:` digest in `text` shortened to its first 12 hex digits and an ellipsis. */
export function shortDigests(text: string): string {
  return text.replace(/(sha256[:-][0-9a-f]{12})[0-9a-f]+/g, '$1…');
}

/** `text` cut to at most `max` characters, an ellipsis marking the cut (trailing spaces dropped). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The error's code and message, one line, for showing what a typed error carries. */
export function errorLine(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: string }).code;
    return `${e.name}${code ? ` [${code}]` : ''}: ${e.message}`;
  }
  return String(e);
}
