import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '@x/internal';
import { appDir, findRepoRoot } from './env';

/*
 * A mixed corpus for the token counters, about 100 KB: English prose (this repository's own
 * Markdown documentation), TypeScript (the packages' own sources), generated JSON and some
 * Chinese and Japanese. Nothing is random at run time: for a given commit the corpus is the same
 * on every run and machine. Without the repository files (a partial checkout) the prose and code
 * fall back to text written into this file.
 */

const prose = [
  'A service that calls a language model fails in a handful of familiar ways.',
  'A burst of requests arrives at once and the provider answers with a quota error.',
  'The provider goes down, and every request waits for a long timeout before failing.',
  'The same deterministic prompt is paid for again and again, a thousand times a day.',
  'A prompt grows past the context window, and the server silently drops its beginning.',
  'Each call opens a new socket, performs a handshake and closes it a moment later.',
  'A circuit breaker notices consecutive failures and stops sending traffic for a while.',
  'After the open period, one probe is let through; if it succeeds, traffic resumes gradually.',
  'A token bucket refills at a steady rate and lets short bursts through up to its capacity.',
  'Waiters queue in strict arrival order, so a heavy request at the head is never starved.',
  "The cache stores complete answers only, keyed by everything that can change the model's reply.",
  'Temperature, seed, top-p and the stop sequences all belong in the key; the API key never does.',
  'Streaming answers arrive as newline-delimited JSON, one chunk per generated piece of text.',
  'When the stream ends without a final chunk, the caller gets a typed error and the partial text.',
  'Latency percentiles are kept in bounded memory, and statistics never reset as a side effect.',
  "It's a small set of packages: install the pieces you need, and leave out the rest.",
  'Numbers such as 3.14159, 2,048 tokens, 60 requests/s and $0.15 per million tokens appear too.',
  'Emails like ops@example.com, URLs like https://example.com/v1/chat?x=1 and dates like 2026-11-26.',
];

const cjk = [
  '语言模型服务经常因为请求突增而超出配额，因此需要令牌桶来平滑流量。',
  '当提供方宕机时，断路器会快速拒绝请求，而不是让每个请求都等待超时。',
  '相同的确定性提示不应该重复付费，缓存只保存完整且成功的回答。',
  '上下文窗口溢出时，服务器会静默截断提示的开头，客户端应该提前发现。',
  '连接池复用已经建立的套接字，省去每次请求的握手时间。',
  '言語モデルを呼び出すサービスは、いくつかのよくある理由で失敗します。',
  'サーキットブレーカーは連続した失敗を検知し、しばらくの間トラフィックを止めます。',
  'トークンバケットは一定の速度で補充され、容量までの短いバーストを許します。',
  'キャッシュは完全な回答だけを保存し、APIキーは決してキーに含めません。',
  'ストリームが最後のチャンクなしで終わると、呼び出し側は型付きのエラーを受け取ります。',
];

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.'))
      continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p, keep));
    else if (keep(entry.name)) out.push(p);
  }
  return out.sort();
}

/** Cuts texts into samples of about `size` bytes at line ends, until `budget` bytes are taken. */
function slices(texts: string[], size: number, budget: number): string[] {
  const out: string[] = [];
  let taken = 0;
  for (const text of texts) {
    const lines = text.split('\n');
    let cur = '';
    for (const line of lines) {
      cur += `${line}\n`;
      if (cur.length >= size) {
        out.push(cur);
        taken += Buffer.byteLength(cur);
        cur = '';
        if (taken >= budget) return out;
      }
    }
  }
  return out;
}

export interface Corpus {
  /** The samples, each a few KB of one kind. */
  samples: { kind: 'prose' | 'code' | 'json' | 'cjk'; text: string }[];
  /** Their concatenation. */
  text: string;
  bytes: number;
}

let cached: Corpus | undefined;

export function mixedCorpus(targetBytes = 100_000): Corpus {
  if (cached && cached.bytes >= targetBytes * 0.95) return cached;
  const random = createRandom(20261126);
  const samples: Corpus['samples'] = [];
  const budget = { prose: 0.4, code: 0.3, json: 0.2, cjk: 0.1 };

  const root = findRepoRoot();
  const docs = [
    join(root, 'README.md'),
    join(root, 'CONTRIBUTING.md'),
    ...filesUnder(join(root, 'packages'), (n) => n === 'README.md'),
  ].flatMap((f) => {
    try {
      return [readFileSync(f, 'utf8')];
    } catch {
      return [];
    }
  });
  const sources = [join(root, 'packages'), join(appDir, 'src')]
    .flatMap((d) => filesUnder(d, (n) => n.endsWith('.ts') && !n.endsWith('.test.ts')))
    .map((f) => readFileSync(f, 'utf8'));

  let size = 0;
  for (const text of slices(docs, 1000, targetBytes * budget.prose)) {
    samples.push({ kind: 'prose', text });
    size += Buffer.byteLength(text);
  }
  while (size < targetBytes * budget.prose) {
    const text = shuffled(prose, random).slice(0, 10).join(' ');
    samples.push({ kind: 'prose', text });
    size += Buffer.byteLength(text);
  }
  size = 0;
  for (const text of slices(sources, 1500, targetBytes * budget.code)) {
    samples.push({ kind: 'code', text });
    size += Buffer.byteLength(text);
  }
  while (size < targetBytes * budget.code) {
    const text = 'export const answer = (n: number): number => n * 2;\n';
    samples.push({ kind: 'code', text });
    size += Buffer.byteLength(text);
  }
  size = 0;
  for (let i = 0; size < targetBytes * budget.json; i++) {
    const text = JSON.stringify({
      model: ['llama3.2', 'mistral', 'qwen2.5:7b', 'gpt-4o-mini'][i % 4],
      created_at: new Date(Date.UTC(2026, 10, 26, 10, 0, i)).toISOString(),
      messages: Array.from({ length: 3 }, (_, k) => ({
        role: k === 0 ? 'system' : k % 2 ? 'user' : 'assistant',
        content: prose[(i + k) % prose.length],
      })),
      options: { temperature: Math.round(random() * 100) / 100, seed: i, num_ctx: 8192 },
      usage: {
        prompt_tokens: 100 + i,
        completion_tokens: 20 + (i % 50),
        eval_duration: 123456789 + i,
      },
    });
    samples.push({ kind: 'json', text });
    size += Buffer.byteLength(text);
  }
  size = 0;
  while (size < targetBytes * budget.cjk) {
    const text = shuffled(cjk, random).slice(0, 6).join('');
    samples.push({ kind: 'cjk', text });
    size += Buffer.byteLength(text);
  }
  const text = samples.map((s) => s.text).join('\n\n');
  cached = { samples, text, bytes: Buffer.byteLength(text) };
  return cached;
}
