import { createRandom, type Random } from '@x/internal';
import type {
  DestroyFault,
  EndWithoutDoneFault,
  ErrorLineFault,
  Fault,
  FaultKind,
  FaultPlan,
  FaultRule,
  LatencySpec,
  RateLimitFault,
  RefuseFault,
  RunnerCrashFault,
  StallFault,
  StatusFault,
} from '../faults';
import type { Fixture } from '../fixtures';
import { mix } from './prng';
import { fullModelName } from './resolve-model';

/** The faults chosen for one request, merged from every matching rule. */
export interface RequestFaults {
  readonly kinds: FaultKind[];
  latencyMs: number;
  slowHeadersMs: number;
  status: StatusFault | undefined;
  rateLimit: RateLimitFault | undefined;
  errorLine: ErrorLineFault | undefined;
  runnerCrash: RunnerCrashFault | undefined;
  destroy: DestroyFault | undefined;
  endEarly: EndWithoutDoneFault | undefined;
  readonly stalls: StallFault[];
  split: { at: number[]; every: number; gapMs: number } | undefined;
  refuse: RefuseFault | undefined;
  replay: Fixture | undefined;
}

/** A request's faults before any rule applied: none. */
function noFaults(): RequestFaults {
  return {
    kinds: [],
    latencyMs: 0,
    slowHeadersMs: 0,
    status: undefined,
    rateLimit: undefined,
    errorLine: undefined,
    runnerCrash: undefined,
    destroy: undefined,
    endEarly: undefined,
    stalls: [],
    split: undefined,
    refuse: undefined,
    replay: undefined,
  };
}

export const NO_FAULTS: RequestFaults = Object.freeze(noFaults());

interface RuleState {
  readonly rule: FaultRule;
  readonly routes: readonly string[] | undefined; // undefined = any
  readonly model: string | undefined;
  readonly random: Random;
  matches: number;
  applied: number;
}

function sampleLatency(spec: LatencySpec, random: Random): number {
  if (typeof spec === 'number') return spec;
  if ('min' in spec) return spec.min + random() * (spec.max - spec.min);
  if (spec.distribution === 'exponential') return -Math.log(1 - random()) * spec.mean;
  // Box-Muller; negative draws clamp to 0.
  const u = 1 - random();
  const v = random();
  return Math.max(
    0,
    spec.mean + spec.stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v),
  );
}

/** Chooses faults per request from a plan: scripted sequences, seeded probabilities, limits. */
export class FaultPicker {
  private readonly states: RuleState[];
  private readonly latencyRandom: Random;

  constructor(plan: FaultPlan) {
    const seed = plan.seed ?? 0;
    this.latencyRandom = createRandom(mix(seed, 0xfa017));
    this.states = plan.rules.map((rule, i) => {
      const r = rule.route;
      const routes = r === undefined || r === '*' ? undefined : typeof r === 'string' ? [r] : r;
      return {
        rule,
        routes: routes?.includes('*') ? undefined : routes,
        model: rule.model === undefined ? undefined : fullModelName(rule.model).toLowerCase(),
        random: createRandom(mix(seed, i + 1)),
        matches: 0,
        applied: 0,
      };
    });
  }

  get empty(): boolean {
    return this.states.length === 0;
  }

  /** The faults of one request; a rule's route matches the path or the route's pattern (`/api/blobs/:digest`). */
  pick(path: string, model: string | undefined, pattern: string = path): RequestFaults {
    if (this.states.length === 0) return NO_FAULTS;
    let out: RequestFaults | undefined;
    const modelKey = model === undefined ? undefined : fullModelName(model).toLowerCase();
    for (const s of this.states) {
      if (s.routes !== undefined && !s.routes.includes(path) && !s.routes.includes(pattern))
        continue;
      if (s.model !== undefined && s.model !== modelKey) continue;
      if (s.applied >= (s.rule.times ?? Number.POSITIVE_INFINITY)) continue;
      const n = s.matches++;
      let entry: Fault | readonly Fault[] | null | undefined;
      if (s.rule.sequence !== undefined) {
        const seq = s.rule.sequence;
        entry =
          n < seq.length ? seq[n] : s.rule.repeat && seq.length > 0 ? seq[n % seq.length] : null;
      } else {
        const p = s.rule.probability ?? 1;
        // Always draw, so one rule's outcome sequence does not depend on other rules.
        const draw = s.random();
        entry = draw < p ? s.rule.fault : null;
      }
      if (entry === null || entry === undefined) continue;
      s.applied++;
      out ??= noFaults();
      for (const fault of Array.isArray(entry) ? entry : [entry as Fault]) this.add(out, fault);
    }
    return out ?? NO_FAULTS;
  }

  private add(out: RequestFaults, fault: Fault): void {
    out.kinds.push(fault.kind);
    switch (fault.kind) {
      case 'latency':
        out.latencyMs += sampleLatency(fault.ms, this.latencyRandom);
        break;
      case 'slow-headers':
        out.slowHeadersMs += fault.ms;
        break;
      case 'status':
        out.status = fault;
        break;
      case 'rate-limit':
        out.rateLimit = fault;
        break;
      case 'error-line':
        out.errorLine = fault;
        break;
      case 'runner-crash':
        out.runnerCrash = fault;
        break;
      case 'destroy':
        out.destroy = fault;
        break;
      case 'end-without-done':
        out.endEarly = fault;
        break;
      case 'stall':
        out.stalls.push(fault);
        break;
      case 'split': {
        const prev = out.split;
        out.split = {
          at: [...(prev?.at ?? []), ...(fault.at ?? [])].sort((a, b) => a - b),
          every: fault.every ?? prev?.every ?? 0,
          gapMs: fault.gapMs ?? prev?.gapMs ?? 2,
        };
        break;
      }
      case 'refuse':
        out.refuse = fault;
        break;
      case 'replay':
        out.replay = fault.fixture;
        break;
    }
  }
}
