// The web pages an answer cites (`message.annotations`, `url_citation`), read from a whole answer
// and from a stream as they arrive: with the text they cite or in an event of their own.
import { describe, expect, it } from 'vitest';
import { chunk, completion, DONE, json, sse, usageChunk } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';

const cite = (url: string, title: string, start: number, end: number) => ({
  type: 'url_citation',
  url_citation: { url, title, start_index: start, end_index: end },
});
const wiki = cite(
  'https://en.wikipedia.org/wiki/Rayleigh_scattering',
  'Rayleigh scattering',
  0,
  24,
);
const nasa = cite('https://science.nasa.gov/sky', 'Why is the sky blue?', 25, 40);
const read = (url: string, title: string, startIndex: number, endIndex: number) => ({
  type: 'url_citation',
  url,
  title,
  startIndex,
  endIndex,
});
const wikiRead = read(
  'https://en.wikipedia.org/wiki/Rayleigh_scattering',
  'Rayleigh scattering',
  0,
  24,
);
const nasaRead = read('https://science.nasa.gov/sky', 'Why is the sky blue?', 25, 40);

describe('ChatResponse.annotations', () => {
  it('holds the url citations of a whole answer, in order, the others skipped', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': json(
          200,
          completion({
            content: 'Rayleigh scattering does it. NASA agrees.',
            annotations: [
              wiki,
              { type: 'file_citation', file_citation: { file_id: 'f' } },
              { type: 'url_citation', url_citation: { title: 'no url' } },
              nasa,
            ],
          }),
        ),
      },
      { completeAs: 'whole' },
    );
    const answer = await provider.complete(ask());
    expect(answer.annotations).toEqual([wikiRead, nasaRead]);
    // Not part of the message sent back: the API takes no annotations on an assistant message.
    expect(answer.message).not.toHaveProperty('annotations');
  });

  it('is undefined when the answer cites nothing (an empty list, or none)', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          json(200, completion({ content: 'Hi' })),
          json(200, completion({ content: 'Hi', annotations: undefined })),
        ],
      },
      { completeAs: 'whole' },
    );
    expect((await provider.complete(ask())).annotations).toBeUndefined();
    expect((await provider.complete(ask())).annotations).toBeUndefined();
  });
});

describe('StreamChunk.annotations', () => {
  const events = [
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: 'Rayleigh scattering does it.', annotations: [wiki] }),
    chunk({ content: ' NASA agrees.' }),
    // A citation in an event of its own, and the whole list again, as some servers send it.
    chunk({ annotations: [nasa] }),
    chunk({ annotations: [wiki, nasa] }),
    chunk({}, 'stop'),
    usageChunk(),
    DONE,
  ];

  it('hands each citation over with the chunk it came in, once, and all of them at the end', async () => {
    const { provider } = await setup({ '/chat/completions': sse(events) });
    const chunks = await collect(provider.stream(ask()));
    const cited = chunks.filter((c) => c.annotations !== undefined);
    expect(cited.map((c) => [c.content, c.annotations])).toEqual([
      ['Rayleigh scattering does it.', [wikiRead]],
      ['', [nasaRead]],
    ]);
    expect(chunks.at(-1)!.response!.annotations).toEqual([wikiRead, nasaRead]);
    expect(chunks.at(-1)!.response!.content).toBe('Rayleigh scattering does it. NASA agrees.');
  });

  it('gives complete() the same citations, and a cached answer keeps them', async () => {
    const { server, provider } = await setup({ '/chat/completions': sse(events) });
    const first = await provider.complete(ask('Hi', { temperature: 0 }));
    expect(first.annotations).toEqual([wikiRead, nasaRead]);
    const replayed = await collect(provider.stream(ask('Hi', { temperature: 0 })));
    expect(replayed.at(-1)!.response).toMatchObject({
      cached: true,
      annotations: [wikiRead, nasaRead],
    });
    expect(chats(server)).toHaveLength(1);
  });
});
