import { bold, dim, type Out } from '../output';
import { startDashboard } from './server';

/** `--port 9464 --host 127.0.0.1`: where the dashboard listens. */
function serveOptions(argv: readonly string[]): { port: number; host: string } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const port = Number(value('--port') ?? 9464);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Expected \`--port\` to be an integer between 0 and 65535, got \`${value('--port')}\``,
    );
  }
  return { port, host: value('--host') ?? '127.0.0.1' };
}

/** Runs the live dashboard until SIGINT or SIGTERM. */
export async function serve(out: Out, argv: readonly string[]): Promise<number> {
  const dashboard = await startDashboard(serveOptions(argv));
  out.write(`${bold('@x live dashboard')}\n`);
  out.line(`page     ${dashboard.url}/`);
  out.line(
    `metrics  ${dashboard.url}/metrics  (Prometheus text; scrape target ${dashboard.target})`,
  );
  out.line(
    dim(
      'load against the embedded @x/ollama-sim: 20 s normal, 12 s outage (every chat answers 503), 20 s normal, repeated',
    ),
  );
  out.line(dim('Ctrl+C to stop'));
  // `on`, not `once`, and never removed: Ctrl+C reaches this process twice, from the terminal and
  // forwarded by pnpm, and a second SIGINT that finds no listener (while closing, or while the
  // last handles wind down after) kills it with status 130 instead of a clean exit. The process
  // ends once the dashboard is closed.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  await dashboard.close();
  return 0;
}
