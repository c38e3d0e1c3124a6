import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorBody, json, startServer } from './__fixtures__/server';
import { ask, setup, track, trackServer } from './__fixtures__/setup';
import { isModelNotFoundError, isOpenAIApiError, isOpenAIConnectionError } from './errors';
import { createOpenAIProvider } from './provider';

afterEach(() => {
  vi.unstubAllEnvs();
});

const KEY = 'sk-proj-k3yThatMustNeverBeShown0123456789';

const notFound = json(
  404,
  errorBody('The model `gpt-4o-mini` does not exist', 'invalid_request_error', 'model_not_found'),
);

const refused = (status: number) =>
  json(status, errorBody('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key'));

/** A transport answering every request with `status` and an error body: nothing leaves the machine. */
const answering =
  (status: number, body: string) =>
  async (): Promise<{
    statusCode: number;
    headers: Record<string, string>;
    body: AsyncIterable<Uint8Array>;
  }> => ({
    statusCode: status,
    headers: { 'content-type': 'application/json' },
    body: (async function* () {
      yield new TextEncoder().encode(body);
    })(),
  });

const failure = async (call: Promise<unknown>): Promise<Error> =>
  (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as Error;

describe('error messages name the server spoken to', () => {
  it('names the host when OPENAI_BASE_URL points the `openai` preset at another server', async () => {
    const server = trackServer(await startServer({ '/v1/chat/completions': notFound }));
    vi.stubEnv('OPENAI_BASE_URL', server.url);
    vi.stubEnv('OPENAI_API_KEY', KEY);
    const provider = track(createOpenAIProvider({ retry: false }));
    const error = await failure(provider.complete(ask()));
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error.message).toMatch(
      /^Model "gpt-4o-mini" was not found on 127\.0\.0\.1:\d+ \(or the key may not use it\)/,
    );
    expect(error.message).not.toContain('OpenAI');
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND',
      name: 'ModelNotFoundError',
    });
  });

  it('names the `name` option, when given, for the `openai` preset at another server', async () => {
    const { provider } = await setup(
      { '/chat/completions': notFound },
      { name: 'local-vllm', retry: false },
    );
    const error = await failure(provider.complete(ask()));
    expect(error.message).toMatch(/^Model "gpt-4o-mini" was not found on local-vllm \(/);
  });

  it('names the server at the port nothing listens on, never OpenAI', async () => {
    const server = await startServer({});
    const { url } = server;
    await server.close();
    const provider = track(createOpenAIProvider({ baseUrl: url, apiKey: KEY, retry: false }));
    const error = await failure(provider.complete(ask()));
    expect(isOpenAIConnectionError(error)).toBe(true);
    expect(error.message).toBe(
      `Could not reach the server at ${url} (ECONNREFUSED). Check that the server is up and that \`baseUrl\` is its address`,
    );
    expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_CONNECTION' });
  });

  it("keeps the preset's name for a preset at its own host (OpenAI, Groq)", async () => {
    const body = JSON.stringify({
      error: { message: 'The model does not exist', code: 'model_not_found' },
    });
    for (const [preset, label] of [
      ['openai', 'OpenAI'],
      ['groq', 'Groq'],
    ] as const) {
      const provider = track(
        createOpenAIProvider({
          preset,
          apiKey: KEY,
          retry: false,
          cache: false,
          transport: answering(404, body) as never,
        }),
      );
      const error = await failure(provider.complete(ask()));
      expect(error.message, preset).toMatch(
        new RegExp(`^Model "gpt-4o-mini" was not found on ${label} \\(`),
      );
    }
  });
});

describe('a 401 or 403 says which key was sent, never the key', () => {
  it('names the `apiKey` option and OPENAI_API_KEY when the option was sent', async () => {
    const { provider } = await setup({ '/chat/completions': refused(401) }, { apiKey: KEY });
    const error = await failure(provider.complete(ask()));
    expect(isOpenAIApiError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_API', statusCode: 401 });
    expect(error.message).toMatch(
      /^127\.0\.0\.1:\d+ \/chat\/completions answered 401: Incorrect API key provided\. A key was sent \(the `apiKey` option; OPENAI_API_KEY is read only without it\): check it\.$/,
    );
    expect(error.message).not.toContain(KEY);
  });

  it('names the variable the key was read from', async () => {
    vi.stubEnv('OPENAI_API_KEY', KEY);
    const { provider } = await setup({ '/chat/completions': refused(401) }, { apiKey: undefined });
    const error = await failure(provider.complete(ask()));
    expect(error.message).toContain(
      'A key was sent (OPENAI_API_KEY, read as `apiKey` was left out): check it.',
    );
    expect(error.message).not.toContain(KEY);
  });

  it("says no key was sent, naming `apiKey` and the preset's variable (GROQ_API_KEY)", async () => {
    vi.stubEnv('GROQ_API_KEY', '');
    const { provider } = await setup(
      { '/chat/completions': json(403, { error: 'Forbidden' }) },
      { preset: 'groq', apiKey: undefined },
    );
    const error = await failure(provider.complete(ask()));
    expect(error).toMatchObject({ statusCode: 403 });
    expect(error.message).toMatch(
      /^Groq \/chat\/completions answered 403: Forbidden\. No key was sent: set `apiKey` or the GROQ_API_KEY environment variable\.$/,
    );
  });

  it('adds the access hint to a 403 with a key, and names a key callback', async () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    const { provider } = await setup(
      { '/chat/completions': refused(403) },
      { apiKey: undefined, getApiKey: () => KEY },
    );
    const error = await failure(provider.complete(ask()));
    expect(error.message).toContain(
      'A key was sent only if `getApiKey()` returned one (there is no `apiKey` or the OPENAI_API_KEY environment variable): check it, and that it may use this model and endpoint.',
    );
    expect(error.message).not.toContain(KEY);
  });

  it('names a credential header of `headers` when no `apiKey` is set, never its value', async () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    const { provider } = await setup(
      { '/chat/completions': refused(401) },
      { apiKey: undefined, headers: { Authorization: `Bearer ${KEY}` } },
    );
    const error = await failure(provider.complete(ask()));
    expect(error.message).toContain(
      "No `apiKey` is set; the `headers` option's `authorization` was sent: check it, or set `apiKey` or the OPENAI_API_KEY environment variable.",
    );
    expect(error.message).not.toContain(KEY);
  });
});

describe('a 403 for an unserved country, region or territory', () => {
  it('says where the request came from is not served, not to check the key', async () => {
    const { server, provider } = await setup(
      {
        '/chat/completions': json(
          403,
          errorBody(
            'Country, region, or territory not supported',
            'request_forbidden',
            'unsupported_country_region_territory',
          ),
        ),
      },
      { apiKey: KEY },
    );
    const error = await failure(provider.complete(ask()));
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_API',
      statusCode: 403,
      retryable: false,
      errorCode: 'unsupported_country_region_territory',
    });
    expect(error.message).toMatch(
      /^127\.0\.0\.1:\d+ \/chat\/completions answered 403: Country, region, or territory not supported\. The request came from a country, region or territory 127\.0\.0\.1:\d+ does not serve \(where the machine, or its proxy or VPN, connects from\): another key will not change that\.$/,
    );
    expect(error.message).not.toContain('check it');
    expect(server.requests).toHaveLength(1);
  });
});
