import {
  countChatTokens,
  estimateCost,
  estimateTokens,
  getModelInfo,
  PRICES_AS_OF,
} from '@x/tokens';
import { bold, dim, type Out, usd } from '../output';

const messages = [
  { role: 'system', content: 'You are a helpful assistant that answers in one short paragraph.' },
  {
    role: 'user',
    content:
      'Our service calls a language model for every support ticket. Explain in plain words why a circuit breaker, a rate limiter and a response cache belong in front of it.',
  },
  {
    role: 'assistant',
    content: 'They keep a failing or rate-limited provider from taking the service down.',
  },
  { role: 'user', content: 'And what does each one cost us in latency? 你好，谢谢！' },
];

const models = [
  'gpt-4o',
  'gpt-4',
  'claude-sonnet-4',
  'gemini-2.5-flash',
  'mistral-large',
  'sonar',
  'llama3.2',
];

export async function tokensStep(out: Out): Promise<void> {
  out.explain(
    'The same four-message chat, counted for several providers. OpenAI models are counted exactly',
    'with their own encodings (what the API bills); other providers get an estimate with its margin.',
    `Cost is for this prompt plus a 500-token answer, at the prices recorded on ${PRICES_AS_OF}.`,
  );
  out.line(
    bold(
      `${'model'.padEnd(18)}${'provider'.padEnd(12)}${'tokens'.padStart(7)}  ${'method'.padEnd(18)}${'window'.padStart(9)}  cost`,
    ),
  );
  for (const model of models) {
    const info = getModelInfo(model);
    const exact = info?.encoding ? countChatTokens(messages, { model }) : undefined;
    const estimate = estimateTokens(messages, { model });
    const tokens = exact ?? estimate.tokens;
    const method =
      exact !== undefined
        ? 'exact'
        : `${estimate.method} ±${Math.round(estimate.errorMargin * 100)}%`;
    const cost = estimateCost({ model, inputTokens: tokens, outputTokens: 500 });
    out.line(
      `${model.padEnd(18)}${(info?.provider ?? '?').padEnd(12)}${String(tokens).padStart(7)}  ${method.padEnd(18)}${String(info?.contextWindow ?? '?').padStart(9)}  ${usd(cost?.total)}`,
    );
  }
  const unknown = estimateCost({ model: 'my-private-model', inputTokens: 1000 });
  out.line(
    dim(
      `an unknown model costs ${unknown === undefined ? 'undefined (never a silent 0)' : usd(unknown.total)}`,
    ),
  );
}
