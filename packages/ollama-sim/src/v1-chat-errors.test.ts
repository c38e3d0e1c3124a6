import { describe, expect, it } from 'vitest';
import { chat, send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import { PATH } from './__fixtures__/v1-chat';

const start = simPerTest();

describe('POST /v1/chat/completions errors', () => {
  const cases: [string, unknown, number, string][] = [
    ['an unknown model', chat({ model: 'nope' }), 404, "model 'nope' not found"],
    ['no model', { messages: chat().messages }, 400, 'model is required'],
    [
      'top_logprobs above 20',
      chat({ logprobs: true, top_logprobs: 21 }),
      400,
      'top_logprobs must be between 0 and 20',
    ],
    [
      'an embedding model',
      chat({ model: 'nomic-embed-text' }),
      400,
      '"nomic-embed-text" does not support chat',
    ],
  ];
  for (const [name, body, status, message] of cases) {
    it(`answers ${status} in OpenAI's error shape for ${name}`, async () => {
      const s = await start();
      const res = await send(s.url, PATH, { body });
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.text).toBe(
        `${JSON.stringify({
          error: {
            message,
            type: status === 404 ? 'not_found_error' : 'invalid_request_error',
            param: null,
            code: null,
          },
        })}\n`,
      );
    });
  }

  const rejected: [string, string, string][] = [
    ['an empty body', '', 'EOF'],
    ['a cut body', '{"model":', 'unexpected EOF'],
    [
      'a body that is not an object',
      '"hi"',
      'json: cannot unmarshal string into Go value of type openai.ChatCompletionRequest',
    ],
    ['no messages', '{"model":"llama3.2","messages":[]}', "[] is too short - 'messages'"],
    [
      'messages that are not an array',
      '{"model":"llama3.2","messages":"hi"}',
      'json: cannot unmarshal string into Go struct field ChatCompletionRequest.messages of type []openai.Message',
    ],
    [
      'a max_tokens string',
      '{"model":"llama3.2","max_tokens":"3","messages":[{"role":"user","content":"hi"}]}',
      'json: cannot unmarshal string into Go struct field ChatCompletionRequest.max_tokens of type int',
    ],
    [
      'a stream_options.include_usage string',
      '{"model":"llama3.2","stream_options":{"include_usage":"yes"},"messages":[{"role":"user","content":"hi"}]}',
      'json: cannot unmarshal string into Go struct field StreamOptions.stream_options.include_usage of type bool',
    ],
    [
      'a message without content',
      '{"model":"llama3.2","messages":[{"role":"user"}]}',
      'invalid message content type: <nil>',
    ],
    [
      'an image URL',
      '{"model":"llama3.2","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}',
      'image URLs are not currently supported, please use base64 encoded data instead',
    ],
    [
      'an unknown content part',
      '{"model":"llama3.2","messages":[{"role":"user","content":[{"type":"video"}]}]}',
      'invalid message format',
    ],
    [
      'tool call arguments that are not JSON',
      '{"model":"llama3.2","messages":[{"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{"}}]}]}',
      'invalid tool call arguments',
    ],
    [
      'an unknown reasoning_effort',
      '{"model":"qwen3:4b","reasoning_effort":"huge","messages":[{"role":"user","content":"hi"}]}',
      'invalid reasoning value: "huge" (must be "minimal", "low", "medium", "high", "xhigh", "ultra", "max", or "none")',
    ],
  ];
  for (const [name, rawBody, message] of rejected) {
    it(`answers 400 ${JSON.stringify(message)} from the middleware for ${name}`, async () => {
      const s = await start();
      const res = await send(s.url, PATH, { rawBody });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.text)).toEqual({
        error: { message, type: 'invalid_request_error', param: null, code: null },
      });
    });
  }

  it('answers an unknown /v1 path 404 as text and a wrong method 405, as gin does', async () => {
    const s = await start();
    const unknown = await send(s.url, '/v1/nope', { body: {} });
    expect([unknown.status, unknown.text]).toEqual([404, '404 page not found']);
    const wrong = await send(s.url, PATH);
    expect([wrong.status, wrong.text]).toEqual([405, '405 method not allowed']);
  });
});
