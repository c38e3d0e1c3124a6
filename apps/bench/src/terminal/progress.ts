/**
 * A progress bar on stderr. On a TTY it redraws one line; elsewhere (turbo, CI, tests) it prints
 * a line per finished step, so the log still shows where a long run is.
 */
export interface Progress {
  /** Starts a phase of `total` steps. */
  start(label: string, total: number): void;
  /** Marks one step done; `detail` names it. */
  tick(detail?: string): void;
  /** Ends the phase (clears the bar on a TTY). */
  done(): void;
  /** Prints a line without breaking the bar. */
  log(line: string): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | { write(chunk: string): boolean; isTTY?: boolean };
  width?: number;
  /** Silence everything (the tests of pure functions use it). */
  quiet?: boolean;
}

export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.floor(f * width);
  const partials = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
  const rest = f * width - full;
  const partial = full < width ? (partials[Math.floor(rest * 8)] ?? '') : '';
  return '█'.repeat(full) + partial + ' '.repeat(Math.max(0, width - full - (partial ? 1 : 0)));
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const width = options.width ?? 24;
  let label = '';
  let total = 0;
  let count = 0;
  let started = 0;
  let drawn = false;
  let quarter = 0;

  const line = (detail: string) => {
    const frac = total > 0 ? count / total : 1;
    const elapsed = (performance.now() - started) / 1000;
    const eta = count > 0 && count < total ? ((elapsed / count) * (total - count)).toFixed(0) : '';
    return `${label.padEnd(14)} ${bar(frac, width)} ${String(count).padStart(3)}/${total}${
      eta ? ` ~${eta}s left` : ''
    }${detail ? `  ${detail}` : ''}`;
  };
  const clear = () => {
    if (tty && drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };

  return {
    start(l, t) {
      if (options.quiet) return;
      label = l;
      total = t;
      count = 0;
      quarter = 0;
      started = performance.now();
      if (tty) {
        stream.write(line(''));
        drawn = true;
      }
    },
    tick(detail = '') {
      if (options.quiet) return;
      count++;
      if (tty) {
        clear();
        stream.write(line(detail).slice(0, (process.stderr.columns ?? 120) - 1));
        drawn = true;
      } else {
        // without a TTY a line per step would flood the log: print each quarter of the phase
        const q = total > 0 ? Math.floor((count / total) * 4) : 4;
        if (q > quarter) {
          quarter = q;
          stream.write(`${line(detail)}\n`);
        }
      }
    },
    done() {
      if (options.quiet) return;
      clear();
    },
    log(text) {
      if (options.quiet) return;
      const wasDrawn = drawn;
      clear();
      stream.write(`${text}\n`);
      if (wasDrawn && tty) {
        stream.write(line(''));
        drawn = true;
      }
    },
  };
}
