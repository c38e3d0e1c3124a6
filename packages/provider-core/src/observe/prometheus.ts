import type { MetricFamily, MetricsSource } from './families';
import { ProviderLabels } from './provider-labels';

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(set: Readonly<Record<string, string>>): string {
  const entries = Object.entries(set);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function value(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(n);
}

/** Renders families in the Prometheus text exposition format (version 0.0.4). */
export function renderFamilies(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(
        `${family.name}${sample.suffix ?? ''}${labels(sample.labels)} ${value(sample.value)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The families of several sources with the same names joined: two providers of one package (an
 * Ollama per GPU, told apart by their `name`) expose each family once, with both their samples.
 * A source given twice counts once.
 * @throws {TypeError} when two sources give one name two types, or share a `provider` label.
 */
function mergeFamilies(sources: readonly MetricsSource[]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  const labels = new ProviderLabels();
  for (const source of new Set(sources)) {
    const families = source.metricFamilies();
    labels.claim(source, families);
    for (const family of families) {
      const seen = byName.get(family.name);
      if (seen === undefined) {
        byName.set(family.name, { ...family, samples: [...family.samples] });
      } else if (seen.type !== family.type) {
        throw new TypeError(
          `Metric ${family.name} is a ${seen.type} in one source and a ${family.type} in another`,
        );
      } else {
        seen.samples.push(...family.samples);
      }
    }
  }
  return [...byName.values()];
}

/**
 * The metrics of every provider given, as one Prometheus text exposition (for a `/metrics`
 * endpoint): each family once, whatever the number of providers of one package. Each provider
 * needs its own `name` (the `provider` label): two of one name are a `TypeError` naming it, as
 * their series would be identical and Prometheus would keep only one. A closed provider given is
 * rendered (its final counts): the caller chooses the sources.
 *
 * @example
 * const ollamaA = createOllamaProvider({ name: 'gpu-a', baseUrl: 'http://10.0.0.1:11434' });
 * const ollamaB = createOllamaProvider({ name: 'gpu-b', baseUrl: 'http://10.0.0.2:11434' });
 * http.createServer((req, res) => res.end(prometheusText(ollamaA, ollamaB))).listen(9464);
 */
export function prometheusText(...sources: MetricsSource[]): string {
  return renderFamilies(mergeFamilies(sources));
}
