/**
 * Runs @x/ollama-sim in its own process for the benchmark, as a real Ollama would be: prints its
 * URL on the first line of stdout and exits when stdin closes.
 */
import { startOllamaSim } from '@x/ollama-sim';

const sim = await startOllamaSim({
  loadTimeMs: 0,
  numParallel: 64,
  maxLogEntries: 10,
  responseTokens: { min: 24, max: 24 },
});
process.stdout.write(`${sim.url}\n`);
process.stdin.on('end', () => {
  void sim.close().then(() => process.exit(0));
});
process.stdin.resume();
