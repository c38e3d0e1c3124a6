import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { errorBody, hello, json, until } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';

describe('OpenAIProvider observability', () => {
  it('counts calls and renders them as x_provider_openai_* Prometheus metrics', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    await provider.complete(ask());
    expect(provider.stats()).toMatchObject({
      requests: 1,
      successes: 1,
      promptTokens: 19,
      completionTokens: 10,
    });
    const text = provider.toPrometheus();
    expect(text).toContain(
      'x_provider_openai_requests_total{provider="openai",model="gpt-4o-mini"} 1',
    );
    expect(text).toContain(
      'x_provider_openai_prompt_tokens_total{provider="openai",model="gpt-4o-mini"} 19',
    );
    expect(text).toMatch(/# TYPE x_provider_openai_request_duration_seconds histogram/);
    expect(
      provider.metricFamilies().some((f) => f.name === 'x_provider_openai_requests_total'),
    ).toBe(true);
  });

  it('publishes responses on x:provider-openai:response and to onResponse', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    diagnosticsChannel.subscribe('x:provider-openai:response', listener);
    const off = provider.onResponse((event) => seen.push(event.finishReason));
    try {
      await provider.complete(ask());
    } finally {
      diagnosticsChannel.unsubscribe('x:provider-openai:response', listener);
      off();
    }
    expect(seen).toContainEqual(
      expect.objectContaining({ model: 'gpt-4o-mini-2024-07-18', cached: false }),
    );
    expect(seen).toContain('stop');
  });

  it('reports a throwing listener as a process warning and still answers', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    provider.onResponse(() => {
      throw new Error('listener bug');
    });
    try {
      await expect(provider.complete(ask())).resolves.toMatchObject({
        content: 'Hello! How can I help?',
      });
      await until(() => warnings.length > 0);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings[0]).toMatchObject({ name: 'XListenerError' });
    expect(warnings[0]!.message).toContain('provider-openai');
  });

  it('reports health from /models without generating tokens', async () => {
    const { server, provider } = await setup({
      '/models': json(200, { object: 'list', data: [] }),
    });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'healthy', reachable: true, reasons: [] });
    expect(chats(server)).toHaveLength(0);
    const { provider: refused } = await setup({
      '/models': json(
        401,
        errorBody('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key'),
      ),
    });
    const bad = await refused.health();
    expect(bad).toMatchObject({ status: 'unhealthy', reachable: true });
    expect(bad.reasons[0]).toContain('refused the key');
  });
});
