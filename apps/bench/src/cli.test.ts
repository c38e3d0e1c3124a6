import { describe, expect, it } from 'vitest';
import { parseArgs, parseFaults } from './cli';

describe('parseArgs', () => {
  it('selects the quick profile when --quick is passed through turbo with a separator', () => {
    const o = parseArgs(['--', '--quick']);
    expect(o.profile.name).toBe('quick');
    expect(o.write).toBe(true);
  });
  it('collects --only names when given as a list or repeated', () => {
    const o = parseArgs(['--only', 'breaker,cache', '--only=tokens', '--skip', 'load']);
    expect(o.only).toEqual(['breaker', 'cache', 'tokens']);
    expect(o.skip).toEqual(['load']);
  });
  it('overrides the samples of the profile when --samples is set', () => {
    const o = parseArgs(['--smoke', '--samples', '4', '--time', '10']);
    expect(o.profile.name).toBe('smoke');
    expect(o.profile.samples).toBe(4);
    expect(o.profile.sampleMs).toBe(10);
  });
  it('throws a RangeError naming the flag when a number is invalid', () => {
    expect(() => parseArgs(['--concurrency', '0'])).toThrow(
      'Expected `--concurrency` to be an integer >= 1, got `0`',
    );
  });
  it('refuses --publish of a partial run when --only or --skip is given', () => {
    expect(() => parseArgs(['--publish', '--only', 'breaker'])).toThrow(/whole committed report/);
    expect(() => parseArgs(['--publish', '--skip', 'load'])).toThrow(/whole committed report/);
  });
  it('refuses --publish of a smoke run or of a run that is not written', () => {
    expect(() => parseArgs(['--publish', '--smoke'])).toThrow(/--smoke/);
    expect(() => parseArgs(['--publish', '--no-write'])).toThrow(/--no-write/);
  });
  it('publishes only when --publish is given', () => {
    expect(parseArgs([]).publish).toBe(false);
    expect(parseArgs(['--publish']).publish).toBe(true);
  });
  it('runs each suite in a process of its own unless --in-process is given', () => {
    expect(parseArgs([]).inProcess).toBe(false);
    expect(parseArgs(['--in-process']).inProcess).toBe(true);
    expect(parseArgs(['--only', 'breaker', '--child-result', '/tmp/r.json']).childResult).toBe(
      '/tmp/r.json',
    );
    expect(() => parseArgs(['--child-result'])).toThrow(/`--child-result`/);
  });

  it('runs the suites once, three times for a publish, and as often as --runs says', () => {
    expect(parseArgs([]).runs).toBe(1);
    expect(parseArgs(['--publish']).runs).toBe(3);
    expect(parseArgs(['--runs', '5']).runs).toBe(5);
    expect(parseArgs(['--publish', '--runs=1']).runs).toBe(1);
    expect(() => parseArgs(['--runs', '0'])).toThrow('Expected `--runs` to be an integer >= 1');
  });

  it('throws with the usage when an option is unknown', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/Unknown option `--fast`[\s\S]*Usage/);
  });
});

describe('parseFaults', () => {
  it('reads every fault kind when given a spec', () => {
    expect(parseFaults('error=0.05,latency=20,jitter=10,stream-error=0.01')).toEqual({
      errorRate: 0.05,
      latencyMs: 20,
      jitterMs: 10,
      streamErrorRate: 0.01,
    });
  });
  it('rejects a rate above 1 when parsing', () => {
    expect(() => parseFaults('error=2')).toThrow(RangeError);
  });
});
