import { quoted } from '@x/internal';
import type { MetricFamily, MetricsSource } from './families';

/**
 * The `provider` labels of sources rendered together, each claimed by one source. Two providers
 * given the same `name` would render identical series (same name, same labels): Prometheus keeps
 * the first and drops the other without a word, so one provider's numbers would silently be
 * missing. Rendering them together is refused instead, naming the label.
 */
export class ProviderLabels {
  readonly #owners = new Map<string, MetricsSource>();

  /**
   * Claims `source`'s name and every `provider` label its `families` carry.
   * @throws {TypeError} when another source claimed one of them.
   */
  claim(source: MetricsSource, families: Iterable<MetricFamily>): void {
    if (typeof source.name === 'string') this.#claimOne(source, source.name);
    for (const family of families) {
      for (const sample of family.samples) {
        const label = sample.labels.provider;
        if (label !== undefined) this.#claimOne(source, label);
      }
    }
  }

  #claimOne(source: MetricsSource, label: string): void {
    const owner = this.#owners.get(label);
    if (owner === undefined) this.#owners.set(label, source);
    else if (owner !== source) throw duplicateProvider(label);
  }
}

/** The error for two sources labelled alike, with its remedy. */
export function duplicateProvider(label: string): TypeError {
  return new TypeError(
    `Two metric sources have the provider label ${quoted(label)}: their series would be identical and Prometheus would keep only one. Give each provider its own \`name\` option`,
  );
}
