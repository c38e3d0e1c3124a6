import { describe, expect, it } from 'vitest';
import { fixtureSetup, type Handler, loadFixture } from './__fixtures__/server';
import { createOllamaProvider } from './provider';

const { providers, servers, setup } = fixtureSetup();

describe('OllamaProvider.health', () => {
  it('reports healthy with the version and loaded models without generating tokens', async () => {
    const { server, provider } = await setup({
      'HEAD /': loadFixture('09-health-head.json'),
      '/api/version': loadFixture('07-version.json'),
      '/api/ps': loadFixture('08-ps.json'),
    });
    const report = await provider.health();
    expect(report).toMatchObject({
      status: 'healthy',
      reachable: true,
      version: '0.32.15',
      reasons: [],
    });
    expect(report.loadedModels).toEqual([
      expect.objectContaining({ name: 'llama3.2:latest', contextLength: 8192 }),
      expect.objectContaining({ name: 'nomic-embed-text:latest', contextLength: 2048 }),
    ]);
    expect(server.requests.some((r) => r.path === '/api/chat' || r.path === '/api/generate')).toBe(
      false,
    );
  });

  it('reports degraded, reachable and the loaded models when /api/version answers HTML', async () => {
    const { provider } = await setup({
      'HEAD /': loadFixture('09-health-head.json'),
      '/api/version': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body>Welcome to nginx</body></html>');
      },
      '/api/ps': loadFixture('08-ps.json'),
    });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'degraded', reachable: true, version: undefined });
    expect(report.error).toBeUndefined();
    expect(report.reasons).toEqual([
      expect.stringMatching(/^version unavailable: .*answered with a web page \(text\/html\)/),
    ]);
    expect(report.reasons.join(' ')).not.toMatch(/unreachable|Unexpected token|not JSON/);
    expect(report.loadedModels).toHaveLength(2);
  });

  it('reports unhealthy, reachable, naming the page, when baseUrl is a web UI', async () => {
    const page: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Open WebUI</title><body>sign in</body>');
    };
    const { provider } = await setup({ 'HEAD /': page, '/api/version': page, '/api/ps': page });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'unhealthy', reachable: true, version: undefined });
    expect(report.error).toMatch(
      /answered with a web page \(text\/html; charset=utf-8\).*Open WebUI/,
    );
    expect(report.reasons.join(' ')).not.toMatch(/unreachable|not JSON/);
  });

  it('reports unhealthy, reachable, naming the page, when a web server answers 404 pages', async () => {
    // A plain web server on baseUrl: its root is a page, and every other path its 404 page.
    const notFound: Handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>404 Not Found</title></head><body></body></html>');
    };
    const home: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end();
    };
    for (const root of [home, notFound]) {
      const { provider } = await setup({
        'HEAD /': root,
        '/api/version': notFound,
        '/api/ps': notFound,
      });
      const report = await provider.health();
      expect(report).toMatchObject({ status: 'unhealthy', reachable: true, version: undefined });
      // A HEAD answer has no body: only a GET's page shows its title.
      expect(report.error).toMatch(
        root === home
          ? /\/api\/version answered 404 with a web page \(text\/html; charset=utf-8; .*404 Not Found/
          : /\/ answered 404 with a web page \(text\/html; charset=utf-8/,
      );
      expect(report.reasons.join(' ')).not.toMatch(/unreachable/);
    }
  });

  it('reports degraded, without error, when Ollama answers /api/ps beside a 404 page', async () => {
    const { provider } = await setup({
      'HEAD /': loadFixture('09-health-head.json'),
      '/api/version': (_req, res) => {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><title>Not Found</title></html>');
      },
      '/api/ps': loadFixture('08-ps.json'),
    });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'degraded', reachable: true, error: undefined });
    expect(report.loadedModels).toHaveLength(2);
  });

  it('reports unhealthy on time, with the reason, when a probe answers an endless body', async () => {
    const { provider } = await setup({
      'HEAD /': loadFixture('09-health-head.json'),
      '/api/version': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      },
      '/api/ps': loadFixture('08-ps.json'),
    });
    const report = await provider.health({ timeoutMs: 10_000 });
    expect(report.status).toBe('degraded');
    expect(report.reasons).toEqual([
      expect.stringMatching(/^version unavailable: .*answer exceeded 262144 bytes/),
    ]);
  });

  it('reports unhealthy instead of throwing when the server is down', async () => {
    const { server } = await setup({});
    const url = server.url;
    await server.close();
    servers.length = 0;
    const provider = createOllamaProvider({ baseUrl: url });
    providers.push(provider);
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'unhealthy', reachable: false });
    expect(report.error).toMatch(/ECONNREFUSED/);
  });
});
