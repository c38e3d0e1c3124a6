import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

// POST /v1/responses, non-streamed: Ollama's ResponsesMiddleware (middleware/openai.go) and
// openai.FromResponsesRequest / ToResponse (openai/responses.go).

const start = simPerTest();

const post = (url: string, body: unknown) => send(url, '/v1/responses', { body });

describe('POST /v1/responses', () => {
  it("answers a text input with Ollama's response object, the request's settings echoed", async () => {
    const s = await start();
    const res = await post(s.url, {
      model: 'llama3.2',
      input: 'Why is the sky blue?',
      instructions: 'Be brief.',
      temperature: 0.5,
      max_output_tokens: 5,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text.endsWith('}\n')).toBe(true);
    const body = JSON.parse(res.text);
    expect(Object.keys(body)).toEqual([
      'id',
      'object',
      'created_at',
      'completed_at',
      'status',
      'incomplete_details',
      'model',
      'previous_response_id',
      'instructions',
      'output',
      'error',
      'tools',
      'tool_choice',
      'truncation',
      'parallel_tool_calls',
      'text',
      'top_p',
      'presence_penalty',
      'frequency_penalty',
      'top_logprobs',
      'temperature',
      'reasoning',
      'usage',
      'max_output_tokens',
      'max_tool_calls',
      'store',
      'background',
      'service_tier',
      'metadata',
      'safety_identifier',
      'prompt_cache_key',
    ]);
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'llama3.2',
      instructions: 'Be brief.',
      tools: [],
      tool_choice: 'auto',
      truncation: 'disabled',
      parallel_tool_calls: true,
      text: { format: { type: 'text' } },
      top_p: 1,
      temperature: 0.5,
      reasoning: null,
      max_output_tokens: 5,
      store: false,
      background: false,
      service_tier: 'default',
      metadata: {},
    });
    expect(body.id).toMatch(/^resp_\d+$/);
    const [message] = body.output;
    expect(message).toMatchObject({ type: 'message', status: 'completed', role: 'assistant' });
    expect(message.id).toMatch(/^msg_\d+$/);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({
      type: 'output_text',
      annotations: [],
      logprobs: [],
    });
    // The same request on /api/chat: the same text and counts.
    const chat = JSON.parse(
      (
        await send(s.url, '/api/chat', {
          body: {
            model: 'llama3.2',
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: 'Why is the sky blue?' },
            ],
            options: { temperature: 0.5, num_predict: 5 },
            stream: false,
          },
        })
      ).text,
    );
    expect(message.content[0].text).toBe(chat.message.content);
    expect(body.usage).toEqual({
      input_tokens: chat.prompt_eval_count,
      output_tokens: chat.eval_count,
      total_tokens: chat.prompt_eval_count + chat.eval_count,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('answers reasoning and function calls as output items, and takes input items back', async () => {
    const s = await start();
    const tool = {
      type: 'function',
      name: 'get_weather',
      description: 'Weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    };
    const res = await post(s.url, {
      model: 'qwen3:4b',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'What is the weather in Oslo?' }] },
      ],
      tools: [tool],
      reasoning: { effort: 'low' },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.output.map((o: { type: string }) => o.type)).toEqual([
      'reasoning',
      'function_call',
    ]);
    expect(body.output[0].id).toBe(`rs_${body.id}`);
    expect(body.output[0].summary[0].type).toBe('summary_text');
    expect(body.output[0].encrypted_content).toBe(body.output[0].summary[0].text);
    expect(body.output[1]).toMatchObject({
      id: `fc_${body.id}_0`,
      status: 'completed',
      name: 'get_weather',
    });
    expect(JSON.parse(body.output[1].arguments)).toHaveProperty('city');
    expect(body.reasoning).toEqual({ effort: 'low' });
    // Go re-marshals the tool: nullable fields as null, the parameters' keys sorted.
    expect(body.tools).toEqual([{ ...tool, strict: null }]);
    expect(Object.keys(body.tools[0].parameters)).toEqual(['properties', 'required', 'type']);
    const next = await post(s.url, {
      model: 'qwen3:4b',
      input: [
        { role: 'user', content: 'What is the weather in Oslo?' },
        body.output[0],
        { ...body.output[1], id: undefined, status: undefined },
        { type: 'function_call_output', call_id: body.output[1].call_id, output: 'Sunny' },
      ],
      tools: [tool],
    });
    expect(next.status).toBe(200);
  });

  const refusals: [string, object, string][] = [
    [
      'an input that is a number',
      { input: 1 },
      'input must be a string or array: json: cannot unmarshal number into Go value of type []json.RawMessage',
    ],
    [
      'an input item without a type',
      { input: [{ content: 'x' }] },
      "input[0]: input item missing required 'type' field",
    ],
    [
      'an unknown input item type',
      { input: [{ type: 'nope' }] },
      'input[0]: unknown input item type: "nope"',
    ],
    [
      'an unknown content type',
      { input: [{ role: 'user', content: [{ type: 'audio' }] }] },
      'input[0]: content[0]: unknown content type: audio',
    ],
    [
      'a file input',
      { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] },
      'file inputs are not currently supported',
    ],
    [
      'function call arguments that are not JSON',
      { input: [{ type: 'function_call', name: 'f', call_id: 'c', arguments: '{' }] },
      'failed to parse function call arguments: unexpected end of JSON input',
    ],
    [
      'a wrongly typed field',
      { input: 'hi', max_output_tokens: '5' },
      'json: cannot unmarshal string into Go struct field ResponsesRequest.max_output_tokens of type int',
    ],
    [
      'an unknown reasoning effort',
      { input: 'hi', reasoning: { effort: 'huge' } },
      'invalid reasoning value: "huge" (must be "minimal", "low", "medium", "high", "xhigh", "ultra", "max", or "none")',
    ],
  ];
  for (const [name, extra, message] of refusals) {
    it(`answers the middleware's 400 for ${name}`, async () => {
      const s = await start();
      const res = await post(s.url, { model: 'llama3.2', ...extra });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.text)).toEqual({
        error: { message, type: 'invalid_request_error', param: null, code: null },
      });
    });
  }

  it("passes the native handler's errors on in OpenAI's shape", async () => {
    const s = await start();
    const res = await post(s.url, { model: 'nope', input: 'hi' });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({
      error: {
        message: "model 'nope' not found",
        type: 'not_found_error',
        param: null,
        code: null,
      },
    });
  });

  it("answers the simulator's own 501 to what it does not simulate: streams and web_search", async () => {
    const s = await start();
    const streamed = await post(s.url, { model: 'llama3.2', input: 'hi', stream: true });
    expect(streamed.status).toBe(501);
    expect(JSON.parse(streamed.text).error.message).toBe(
      'ollama-sim: streamed /v1/responses is not simulated',
    );
    const search = await post(s.url, {
      model: 'llama3.2',
      input: 'hi',
      tools: [{ type: 'web_search' }],
    });
    expect(search.status).toBe(501);
  });
});
