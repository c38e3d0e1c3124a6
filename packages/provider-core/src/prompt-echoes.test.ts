import { describe, expect, it } from 'vitest';
import {
  ECHO_MIN,
  type EchoSearchCount,
  PROMPT_PLACEHOLDER,
  requestTexts,
  withoutEchoes,
} from './prompt-echoes';

const PROMPT = 'Translate the clause "force majeure" into plain words for a tenant.';
const scrub = (text: string, sent: string[] = [PROMPT]) => withoutEchoes([text], sent)[0]!;

describe('withoutEchoes', () => {
  it('replaces a run of the request quoted as written, and leaves the rest', () => {
    expect(scrub(`invalid input: ${PROMPT} (max 32 tokens)`)).toBe(
      `invalid input: ${PROMPT_PLACEHOLDER} (max 32 tokens)`,
    );
    // a part of it, long enough
    expect(scrub(`near "${PROMPT.slice(10, 40)}"`)).toBe(`near "${PROMPT_PLACEHOLDER}"`);
  });

  it(`takes no run shorter than ${ECHO_MIN} characters: ordinary words a prompt holds too`, () => {
    const short = PROMPT.slice(0, ECHO_MIN - 1);
    expect(scrub(`bad: ${short}!`)).toBe(`bad: ${short}!`);
    expect(scrub(`bad: ${PROMPT.slice(0, ECHO_MIN)}!`)).toBe(`bad: ${PROMPT_PLACEHOLDER}!`);
  });

  it('returns a text that quotes nothing as it is', () => {
    const text = 'Input should be a valid string [type=string_type]';
    expect(withoutEchoes([text], [PROMPT, 'Input should be'])[0]).toBe(text);
    expect(withoutEchoes([text], [])[0]).toBe(text);
  });

  it('finds a quote JSON-escaped, JSON-escaped twice, and in Python repr', () => {
    const prompt = 'line one\nsaid "yes", it\'s \\ done\ttab é';
    const json = JSON.stringify(prompt);
    expect(scrub(`input ${json} refused`, [prompt])).toBe(`input "${PROMPT_PLACEHOLDER}" refused`);
    const twice = JSON.stringify(JSON.stringify({ input: prompt }));
    expect(scrub(twice, [prompt])).toBe(`"{\\"input\\":\\"${PROMPT_PLACEHOLDER}\\"}"`);
    const ascii = json.replace(/é/g, '\\u00e9');
    expect(scrub(`x ${ascii} y`, [prompt])).toBe(`x "${PROMPT_PLACEHOLDER}" y`);
    const repr = `'${prompt.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
    expect(scrub(`input_value=${repr}, input_type=str`, [prompt])).toBe(
      `input_value='${PROMPT_PLACEHOLDER}', input_type=str`,
    );
  });

  it("finds a quote whose controls Python repr wrote as \\xNN (pydantic's input_value)", () => {
    const prompt = 'Print the log:\u001b[31m red \u0007 bell, then \u{e0041} a tag';
    // Python's repr of that string: controls as \xNN, an unprintable astral character as \U
    const repr = "'Print the log:\\x1b[31m red \\x07 bell, then \\U000e0041 a tag'";
    expect(scrub(`input_value=${repr}, input_type=str`, [prompt])).toBe(
      `input_value='${PROMPT_PLACEHOLDER}', input_type=str`,
    );
  });

  it('makes overlapping and touching quotes one placeholder; quotes apart stay apart', () => {
    const a = 'The first sentence of the prompt.';
    const b = ' And then the second one follows.';
    expect(scrub(`x ${a}${b} y`, [a, b])).toBe(`x ${PROMPT_PLACEHOLDER} y`);
    expect(scrub(`${a}<...>${b}`, [a + b])).toBe(`${PROMPT_PLACEHOLDER}<...>${PROMPT_PLACEHOLDER}`);
  });

  it('scrubs several texts in one pass over the request', () => {
    expect(withoutEchoes([`a ${PROMPT}`, 'nothing here at all', `${PROMPT} b`], [PROMPT])).toEqual([
      `a ${PROMPT_PLACEHOLDER}`,
      'nothing here at all',
      `${PROMPT_PLACEHOLDER} b`,
    ]);
  });

  it('takes work linear in the request texts: one pass, not one per window', () => {
    const echo = 'a quote of 40 characters from the middle';
    const work = (size: number) => {
      const request = `${'lorem ipsum '.repeat(size / 24)}${echo}${'dolor sit amet '.repeat(size / 30)}`;
      const server = `context length exceeded: "${echo}" ${'x'.repeat(400)}`;
      const count: EchoSearchCount = { steps: 0 };
      expect(withoutEchoes([server], [request], count)[0]).toContain(PROMPT_PLACEHOLDER);
      return { steps: count.steps, length: request.length };
    };
    const small = work(100_000);
    const large = work(1_000_000);
    // about one step a character: ten times the request, about ten times the work
    expect(large.steps / large.length).toBeLessThan(2);
    expect(large.steps / small.steps).toBeLessThan(11);
  });

  it('takes linear work on a request of one character repeated', () => {
    const request = 'a'.repeat(1 << 20);
    const count: EchoSearchCount = { steps: 0 };
    const out = withoutEchoes([`got ${'a'.repeat(300)} and ${'b'.repeat(300)}`], [request], count);
    expect(out[0]).toBe(`got ${PROMPT_PLACEHOLDER} and ${'b'.repeat(300)}`);
    expect(count.steps).toBeLessThan(2 * request.length);
  });
});

describe('requestTexts', () => {
  it("collects an Ollama generate request's prompt, suffix, system and template, not its model or options", () => {
    const texts = requestTexts({
      model: 'llama3.2:latest-instruct-q4',
      prompt: 'Write a function that adds two numbers',
      suffix: '    return result\n# end of the file',
      system: 'You are a careful senior Python developer.',
      template: '{{ .System }} {{ .Prompt }} as given',
      options: { num_ctx: 8192, stop: ['<|end_of_turn|>'] },
      keepAlive: '5m-and-some-more-text',
    });
    expect(texts).toEqual([
      'Write a function that adds two numbers',
      '    return result\n# end of the file',
      'You are a careful senior Python developer.',
      '{{ .System }} {{ .Prompt }} as given',
    ]);
  });

  it('collects chat messages: content, text parts, thinking, tool calls and their results', () => {
    const texts = requestTexts({
      model: 'gpt-4o-mini-2024-07-18',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Answer in French, briefly please.' },
        { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
        {
          role: 'assistant',
          content: '',
          thinking: 'The user wants the current weather.',
          toolCalls: [
            { name: 'weather', arguments: { city: 'Paris, Île-de-France', units: 'metric' } },
            { name: 'raw', arguments: {}, rawArguments: '{"query":"forecast for Paris"}' },
            {
              type: 'custom',
              name: 'sql',
              input: 'SELECT * FROM forecasts WHERE 1',
              arguments: {},
            },
          ],
        },
        { role: 'tool', toolName: 'weather', content: '{"temp":18,"sky":"light rain"}' },
      ],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Current weather.' } }],
    });
    expect(texts).toEqual([
      'Answer in French, briefly please.',
      'What is the weather in Paris?',
      'The user wants the current weather.',
      'Paris, Île-de-France',
      '{"city":"Paris, Île-de-France","units":"metric"}',
      '{"query":"forecast for Paris"}',
      'SELECT * FROM forecasts WHERE 1',
      '{"temp":18,"sky":"light rain"}',
    ]);
  });

  it('collects embedding inputs, one or several, not token ids', () => {
    expect(
      requestTexts({ model: 'text-embedding-3-small', input: 'one input to embed here' }),
    ).toEqual(['one input to embed here']);
    expect(
      requestTexts({ model: 'm', input: ['first input to embed', 'second input to embed'] }),
    ).toEqual(['first input to embed', 'second input to embed']);
    expect(requestTexts({ model: 'm', input: [[1, 2, 3]] })).toEqual([]);
  });

  it('ends on arguments that refer to themselves', () => {
    const args: Record<string, unknown> = { note: 'a long enough argument value' };
    args.self = args;
    const texts = requestTexts({
      messages: [{ role: 'assistant', content: '', toolCalls: [{ name: 'f', arguments: args }] }],
    });
    expect(texts[0]).toBe('a long enough argument value');
  });
});
