import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

// How a created model shows in /api/ps and /api/show: PsHandler builds its details without a
// parent model, GetModelInfo rebuilds each stored message as api.Message{Role, Content}
// (server/routes.go).

const start = simPerTest();

describe('a model created from another', () => {
  it('has an empty details.parent_model in /api/ps, and the parent in /api/show and /api/tags', async () => {
    const s = await start();
    await send(s.url, '/api/create', {
      body: { model: 'child', from: 'llama3.2', stream: false },
    });
    const chat = await send(s.url, '/api/chat', {
      body: { model: 'child', messages: [{ role: 'user', content: 'hi' }], stream: false },
    });
    expect(chat.status).toBe(200);
    const ps = JSON.parse((await send(s.url, '/api/ps')).text).models as {
      name: string;
      details: Record<string, unknown>;
    }[];
    const entry = ps.find((m) => m.name === 'child:latest');
    expect(entry?.details.parent_model).toBe('');
    expect(Object.keys(entry!.details)[0]).toBe('parent_model');
    const show = JSON.parse(
      (await send(s.url, '/api/show', { body: { model: 'child' } })).text,
    ) as { details: { parent_model: string } };
    expect(show.details.parent_model).toBe('llama3.2:latest');
    const tags = JSON.parse((await send(s.url, '/api/tags')).text).models as {
      name: string;
      details: { parent_model: string };
    }[];
    expect(tags.find((m) => m.name === 'child:latest')?.details.parent_model).toBe(
      'llama3.2:latest',
    );
  });

  it('shows its messages as role and content only, whatever else create was sent', async () => {
    const s = await start();
    const res = await send(s.url, '/api/create', {
      body: {
        model: 'primed',
        from: 'qwen3:4b',
        messages: [
          { role: 'User', content: 'Weather?', images: ['aGk='], extra: 1 },
          {
            role: 'assistant',
            content: '',
            thinking: 'look it up',
            tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }],
          },
          { role: 'tool', content: 'sunny', tool_name: 'get_weather' },
        ],
        stream: false,
      },
    });
    expect(res.status).toBe(200);
    const text = (await send(s.url, '/api/show', { body: { model: 'primed' } })).text;
    expect(JSON.parse(text).messages).toEqual([
      // api.Message lowers the role as it decodes it.
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: '' },
      { role: 'tool', content: 'sunny' },
    ]);
  });
});
