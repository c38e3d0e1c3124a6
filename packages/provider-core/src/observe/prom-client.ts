import type { MetricFamily, MetricsSource } from './families';
import { duplicateProvider, ProviderLabels } from './provider-labels';

/** The part of a prom-client `Registry` this adapter uses (prom-client 13 to 15). */
export interface PromClientRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/** A value as prom-client's `get()` returns it. */
interface PromClientValue {
  value: number;
  labels: Record<string, string>;
  metricName?: string | undefined;
}

/** The families of each source, computed once per scrape (prom-client asks every metric at once). */
const scrape = new Map<MetricsSource, Map<string, MetricFamily>>();

function familiesOf(source: MetricsSource): Map<string, MetricFamily> {
  let families = scrape.get(source);
  if (families === undefined) {
    families = new Map(source.metricFamilies().map((family) => [family.name, family]));
    scrape.set(source, families);
    // Every metric's `get()` of one `registry.metrics()` starts in the same tick.
    queueMicrotask(() => scrape.delete(source));
  }
  return families;
}

const OURS = Symbol.for('@x/provider-core/prom-client-collector');

/**
 * One family seen by prom-client as a metric of its own registry: its `get()` reads the sources
 * at scrape time. `reset()` does nothing: the providers' counters never reset.
 */
class Collector {
  readonly [OURS] = true;
  /** prom-client's name of the metric: it strips a counter's `_total` in OpenMetrics mode. */
  name: string;
  /** The family's name as the sources know it. */
  readonly key: string;
  readonly help: string;
  readonly type: MetricFamily['type'];
  readonly aggregator = 'sum';
  readonly sources = new Set<MetricsSource>();

  constructor(family: MetricFamily) {
    this.name = family.name;
    this.key = family.name;
    this.help = family.help;
    this.type = family.type;
  }

  /**
   * The samples of every open source. A closed one is let go here (and its series leave the
   * scrape), so the registry does not hold a provider the app dropped, and a new provider may
   * take its name. Sources sharing a `provider` label make the scrape fail, naming it: a source
   * without a `name` is only known by its samples' labels, read here.
   */
  async get() {
    const values: PromClientValue[] = [];
    const labels = new ProviderLabels();
    for (const source of this.sources) {
      if (source.closed === true) {
        this.sources.delete(source);
        continue;
      }
      const family = familiesOf(source).get(this.key);
      labels.claim(source, family === undefined ? [] : [family]);
      if (family === undefined) continue;
      for (const sample of family.samples) {
        const entry: PromClientValue = { value: sample.value, labels: { ...sample.labels } };
        if (sample.suffix !== undefined) entry.metricName = `${this.key}${sample.suffix}`;
        values.push(entry);
      }
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    };
  }

  reset(): void {}
}

function isCollector(value: unknown): value is Collector {
  return typeof value === 'object' && value !== null && (value as Collector)[OURS] === true;
}

/**
 * Exposes providers' metrics from an app's own prom-client registry, beside its other metrics:
 * each family becomes a metric of `registry`, read at scrape time (nothing is copied or
 * polled). Call it again with more providers, even of the same package: they join the families
 * already registered. Returns a function that takes these providers out again.
 *
 * Each provider needs its own `name` (the `provider` label of its series). A provider closed
 * (`close()`, `destroy()`) leaves the registry by itself: its series are gone from the next
 * scrape, and a provider registered later may take its name (a replacement after a restart).
 *
 * prom-client is not a dependency: any registry with `registerMetric`, `getSingleMetric` and
 * `removeSingleMetric` works.
 *
 * @throws {Error} when the registry holds a metric of the same name that is not ours.
 * @throws {TypeError} when a provider has the `name` of another one registered and still open
 *   (nothing is registered then).
 * @example
 * import { register } from 'prom-client';
 * registerPromClient(register, ollama);
 * app.get('/metrics', async (_req, res) => res.type(register.contentType).send(await register.metrics()));
 */
export function registerPromClient(
  registry: PromClientRegistry,
  ...sources: MetricsSource[]
): () => void {
  // Everything is checked before anything is registered: a refusal leaves the registry as it was.
  const planned: Array<[MetricFamily, MetricsSource]> = [];
  const names = new Set<string>();
  for (const source of new Set(sources)) {
    const { name } = source;
    if (name !== undefined) {
      if (names.has(name)) throw duplicateProvider(name);
      names.add(name);
    }
    for (const family of source.metricFamilies()) {
      const existing = ours(registry, family.name);
      for (const other of existing?.sources ?? []) {
        if (name !== undefined && other.name === name && other !== source && !other.closed) {
          throw duplicateProvider(name);
        }
      }
      planned.push([family, source]);
    }
  }
  const added: Array<[Collector, MetricsSource]> = [];
  for (const [family, source] of planned) {
    let collector = ours(registry, family.name);
    if (collector === undefined) {
      collector = new Collector(family);
      registry.registerMetric(collector as never);
    }
    // Let go of the closed: one of the same name is replaced by this source.
    for (const other of collector.sources) {
      if (other.closed === true) collector.sources.delete(other);
    }
    if (!collector.sources.has(source)) {
      collector.sources.add(source);
      added.push([collector, source]);
    }
  }
  return () => {
    for (const [collector, source] of added.splice(0)) {
      collector.sources.delete(source);
      if (collector.sources.size === 0 && registry.getSingleMetric(collector.name) === collector) {
        registry.removeSingleMetric(collector.name);
      }
    }
  };
}

/**
 * Our collector of the family `name` in `registry`, if registered.
 * @throws {Error} when the registry holds a metric of that name that is not ours.
 */
function ours(registry: PromClientRegistry, name: string): Collector | undefined {
  // In OpenMetrics mode prom-client renames a counter without `_total`: look both up.
  const existing =
    registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_total$/, ''));
  if (existing === undefined || isCollector(existing)) return existing;
  throw new Error(
    `The registry already has a metric named ${name} that registerPromClient() did not add`,
  );
}
