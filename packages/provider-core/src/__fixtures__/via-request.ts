import type http from 'node:http';
import type https from 'node:https';
import { Agent, request } from 'undici';
import type { Transport } from '../index';
import { cores } from './line-core';

/** The agent of {@link viaRequest}: a test file closes it in its `afterAll`. */
export const agent = new Agent();

/**
 * undici's `request()` as a custom transport: the path a custom transport takes (the pulled
 * reader, the custom buffered one), to set beside the built-in transport's direct dispatch.
 */
export const viaRequest: Transport = (url, options) =>
  request(url, { ...options, dispatcher: agent }) as never;

/** Servers a test started; {@link closeCoresAndServers} closes them after each test. */
export const servers: (http.Server | https.Server)[] = [];

/** For `afterEach`: every core made by `lineCore`, then every server, its connections cut. */
export async function closeCoresAndServers(): Promise<void> {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
}
