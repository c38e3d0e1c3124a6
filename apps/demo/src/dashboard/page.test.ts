// Real clock throughout: a real headless Chromium (a child process) watches the live dashboard
// while its load runs against the simulator, through an outage.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireBinary } from '../../../../scripts/testing/prometheus';
import { type Dashboard, startDashboard } from './server';

const screenshots = join(import.meta.dirname, '../../.screenshots');

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function browser(): Promise<BrowserContext> {
  const executablePath = requireBinary('chromium', 'CHROMIUM_BIN', '/usr/bin/chromium', 'chromium');
  const profile = mkdtempSync(join(tmpdir(), 'x-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
  cleanup.push(() => rmSync(profile, { recursive: true, force: true }));
  cleanup.push(() => context.close());
  return context;
}

describe('the live dashboard page', () => {
  it('shows figures that change while the load runs, the outage on the breaker strip, and saves a screenshot (real clock, real chromium)', async () => {
    const context = await browser();
    const dashboard: Dashboard = await startDashboard({
      port: 0,
      cycle: [
        { name: 'normal', ms: 2000 },
        { name: 'outage', ms: 3000 },
        { name: 'normal', ms: 60_000 },
      ],
      loop: false,
    });
    cleanup.push(() => dashboard.close());
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    await page.goto(`${dashboard.url}/`);

    const total = async () => Number(await page.locator('#stat-requests').textContent());
    await vi.waitFor(async () => expect(await total()).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 100,
    });
    const first = await total();
    await vi.waitFor(async () => expect(await total()).toBeGreaterThan(first), {
      timeout: 10_000,
      interval: 100,
    });

    // Through the outage: the page saw the breaker open, then closed again.
    await vi.waitFor(
      async () => {
        // `timeline`: the frames the page received (a top-level binding of its script).
        const seen = await page.evaluate(
          "({ open: timeline.some((f) => f.breaker === 'open'), last: timeline.at(-1)?.breaker })",
        );
        expect(seen).toEqual({ open: true, last: 'closed' });
      },
      { timeout: 30_000, interval: 250 },
    );
    await expect(page.locator('#stat-breaker').textContent()).resolves.toBe('closed');
    expect(await page.locator('#breaker rect[fill="#f85149"]').count()).toBeGreaterThan(0);
    for (const chart of ['traffic', 'limiter', 'cache', 'latency', 'tokens', 'errors']) {
      expect(await page.locator(`#${chart} path`).first().getAttribute('d')).toMatch(
        /^M[\d.]+ [\d.]+L/,
      );
    }
    await expect(page.locator('#errors-legend').textContent()).resolves.toContain('CIRCUIT_OPEN');
    // Everything the page needed came from the dashboard itself: no CDN, no font.
    expect(requests.every((url) => url.startsWith(dashboard.url))).toBe(true);

    mkdirSync(screenshots, { recursive: true });
    const png = await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);
});
