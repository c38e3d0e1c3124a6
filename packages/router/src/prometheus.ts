import { type MetricFamily, prometheusText } from '@x/provider-core';
import type { RouterStats } from './stats';

const PREFIX = 'x_router';
const STATUSES = ['healthy', 'cooling', 'probe-due', 'probing'] as const;

type Sample = [Record<string, string>, number];

/** A stats snapshot in the Prometheus text exposition format (0.0.4), every name `x_router_*`. */
export function renderPrometheus(stats: RouterStats): string {
  const families: MetricFamily[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]) => {
    families.push({
      name: `${PREFIX}_${name}`,
      help,
      type,
      samples: samples.map(([labels, value]) => ({ labels, value })),
    });
  };
  const groups = Object.entries(stats.groups);
  const deployments = Object.entries(stats.deployments);
  const perGroup = (pick: (g: RouterStats['groups'][string]) => number): Sample[] =>
    groups.map(([group, g]) => [{ group }, pick(g)]);
  const perDeployment = (pick: (d: RouterStats['deployments'][string]) => number): Sample[] =>
    deployments.map(([id, d]) => [{ deployment: id, group: d.group }, pick(d)]);

  metric(
    'requests_total',
    'counter',
    'Calls by the model group they named.',
    perGroup((g) => g.requests),
  );
  metric(
    'successes_total',
    'counter',
    'Calls answered, by model group.',
    perGroup((g) => g.successes),
  );
  metric(
    'failures_total',
    'counter',
    'Calls that failed, by error code.',
    Object.entries(stats.failuresByCode).map(([code, n]) => [{ code }, n]),
  );
  metric(
    'fallbacks_total',
    'counter',
    'Times a call moved on to another deployment after a failure, by model group.',
    perGroup((g) => g.fallbacks),
  );
  metric('in_flight', 'gauge', 'Calls running now.', [[{}, stats.inFlight]]);
  metric('cooldowns_total', 'counter', 'Cooldowns started here or told by another instance.', [
    [{ source: 'local' }, stats.cooldowns.local],
    [{ source: 'shared' }, stats.cooldowns.shared],
  ]);
  metric(
    'deployment_calls_total',
    'counter',
    'Calls made to each deployment.',
    perDeployment((d) => d.calls),
  );
  metric(
    'deployment_failures_total',
    'counter',
    'Calls to each deployment that failed.',
    perDeployment((d) => d.failures),
  );
  metric(
    'deployment_skipped_total',
    'counter',
    'Times each deployment was passed over without a call.',
    perDeployment((d) => d.skipped),
  );
  metric(
    'deployment_in_flight',
    'gauge',
    'Calls in flight on each deployment.',
    perDeployment((d) => d.inFlight),
  );
  metric(
    'deployment_status',
    'gauge',
    'Cooldown status of each deployment (1 for the current one).',
    deployments.flatMap(([id, d]) =>
      STATUSES.map((status): Sample => [{ deployment: id, status }, d.status === status ? 1 : 0]),
    ),
  );
  const latency: Sample[] = [];
  for (const [id, d] of deployments) {
    for (const [operation, ms] of Object.entries(d.latencyMs)) {
      if (ms !== undefined) latency.push([{ deployment: id, operation }, ms / 1000]);
    }
  }
  metric(
    'deployment_latency_seconds',
    'gauge',
    'Moving average of successful calls per deployment (stream: to the first chunk).',
    latency,
  );
  const available = stats.state.state;
  if (typeof available === 'string') {
    metric('state_available', 'gauge', 'The shared state answers (1) or not (0).', [
      [{ kind: String(stats.state.kind) }, available === 'available' ? 1 : 0],
    ]);
  }
  // Written by the providers' renderer, one copy of the format's escaping; a single source, so
  // no two share a `provider` label.
  return prometheusText({ metricFamilies: () => families });
}
