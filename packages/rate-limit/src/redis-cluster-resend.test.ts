// A take whose reply one node of a Redis Cluster lost: three real `redis-server`s in cluster mode,
// each behind a proxy that can drop one reply and cut that node's connection. The Cluster client
// stays `ready` (its other nodes are connected) and sends the take again itself, to the node
// (`retryDelayOnFailover`): only the node's connection says it closed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type ReplyDropProxy, startReplyDropProxy } from '@x/internal/testing';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisTokenBucket } from './redis';

const dir = mkdtempSync(join(tmpdir(), 'rate-limit-cluster-'));
const servers: ChildProcess[] = [];
const admins: Redis[] = [];
const proxies: ReplyDropProxy[] = [];
const ranges = [
  [0, 5460],
  [5461, 10922],
  [10923, 16383],
] as const;

beforeAll(async () => {
  const ports = [await freePort(), await freePort(), await freePort()];
  for (const port of ports) {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
    args.push('no', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`);
    servers.push(spawn('redis-server', [...args, '--dir', dir], { stdio: 'ignore' }));
  }
  for (const port of ports) {
    const admin = new Redis(port, { host: '127.0.0.1', retryStrategy: () => 50 });
    admin.on('error', () => {});
    admins.push(admin);
  }
  for (const [i, admin] of admins.entries()) {
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', String(ranges[i]![0]), String(ranges[i]![1]));
  }
  for (const port of ports.slice(1)) await admins[0]!.call('CLUSTER', 'MEET', '127.0.0.1', port);
  await vi.waitFor(
    async () => {
      for (const admin of admins) expect(await admin.call('CLUSTER', 'INFO')).toMatch(/state:ok/);
    },
    { timeout: 15_000, interval: 100 },
  );
  for (const port of ports) proxies.push(await startReplyDropProxy(port));
}, 20_000);

afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  for (const admin of admins) admin.disconnect();
  for (const server of servers) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A Cluster client that reaches every node through its proxy. */
async function clusterClient(): Promise<Cluster> {
  const natMap: Record<string, { host: string; port: number }> = {};
  for (const [i, admin] of admins.entries()) {
    natMap[`127.0.0.1:${admin.options.port}`] = { host: '127.0.0.1', port: proxies[i]!.port };
  }
  const cluster = new Cluster([{ host: '127.0.0.1', port: proxies[0]!.port }], { natMap });
  cluster.on('error', () => {});
  await new Promise((resolve) => cluster.once('ready', resolve));
  return cluster;
}

/** The node (its index) that holds `key`'s slot. */
async function ownerOf(key: string): Promise<number> {
  const slot = Number(await admins[0]!.call('CLUSTER', 'KEYSLOT', key));
  return ranges.findIndex(([from, to]) => slot >= from && slot <= to);
}

/** EVALSHA calls the node ran so far. */
async function evalshaCalls(node: number): Promise<number> {
  const info = await admins[node]!.info('commandstats');
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

/** The tokens in a bucket's stored value (now, kept-until, tokens), read without a script. */
async function storedTokens(node: number, key: string): Promise<number> {
  const value = await admins[node]!.getBuffer(`x:rate-limit:bucket|${key}`);
  if (value === null) return 20; // a missing key is a full bucket
  return endianness() === 'LE' ? value.readDoubleLE(16) : value.readDoubleBE(16);
}

describe('a take sent again by a Redis Cluster after one node lost its reply', () => {
  it.each(['fail-closed', 'local'] as const)(
    'is charged once and decided by the outage policy (%s)',
    async (outagePolicy) => {
      const cluster = await clusterClient();
      const key = `{cut-${outagePolicy}}:${process.pid}`;
      const bucket = createRedisTokenBucket({
        client: cluster,
        key,
        ratePerSecond: 0.001,
        capacity: 20,
        probeIntervalMs: 0,
        decisionTimeoutMs: 5_000,
        outagePolicy,
      });
      // loads both scripts on the key's node: a NOSCRIPT runs nothing
      await bucket.waitTimeMs();
      await bucket.tryAcquire(0);
      const closes: string[] = [];
      cluster.on('close', () => closes.push('cluster'));
      const owner = await ownerOf(key);
      const before = await evalshaCalls(owner);
      // The take's own command: ioredis settles it once its resending ends (a reply, or its
      // redirections run out), however long a loaded machine makes that.
      const sent: Promise<unknown>[] = [];
      const evalsha = cluster.evalsha.bind(cluster) as (...args: unknown[]) => Promise<unknown>;
      (cluster as unknown as { evalsha: typeof evalsha }).evalsha = (...args) => {
        const command = evalsha(...args);
        sent.push(command);
        return command;
      };
      const dropped = proxies[owner]!.dropReplyTo('evalsha');
      const took = bucket.tryAcquire(5);
      await dropped;
      // fail-closed refuses; local decides from its share of 20 (5)
      expect(await took).toBe(outagePolicy === 'local');
      expect(bucket.stats().store).toMatchObject({ errors: 1, outageError: 'ConnectionClosed' });
      expect(cluster.status).toBe('ready');
      expect(closes).toEqual([]);
      expect(sent).toHaveLength(1);
      // The Cluster sends the take again (after retryDelayOnFailover) to a new connection to the
      // node, which runs it a second time; what that run admitted is given back. On a loaded
      // machine its redirections may run out first: then the node ran it once. Charged once
      // either way.
      const [resent] = await Promise.allSettled(sent);
      const runs = (await evalshaCalls(owner)) - before;
      // (a give-back is a script run of its own)
      if (resent!.status === 'fulfilled') expect(runs).toBeGreaterThanOrEqual(2);
      else expect(runs).toBe(1);
      await vi.waitFor(async () => expect(await storedTokens(owner, key)).toBeCloseTo(15, 1), {
        timeout: 5_000,
        interval: 50,
      });
      await bucket.close();
      cluster.disconnect();
    },
  );

  it('follows each node connection with one close listener, however many stores use the Cluster', async () => {
    const cluster = await clusterClient();
    const nodes = cluster.nodes('all');
    expect(nodes).toHaveLength(3);
    const before = nodes.map((node) => node.listenerCount('close'));
    const [closes, added] = [cluster.listenerCount('close'), cluster.listenerCount('+node')];
    for (let i = 0; i < 20; i++) {
      const bucket = createRedisTokenBucket({ client: cluster, key: `k${i}`, ratePerSecond: 1 });
      await bucket.close();
    }
    expect(nodes.map((node) => node.listenerCount('close'))).toEqual(before.map((n) => n + 1));
    // the Cluster's own close is not followed: its nodes' closes come first
    expect(cluster.listenerCount('close')).toBe(closes);
    expect(cluster.listenerCount('+node')).toBe(added + 1);
    cluster.disconnect();
  });
});
