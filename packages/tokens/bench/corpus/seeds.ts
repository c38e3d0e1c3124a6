/**
 * Hand-written seed text for the benchmark and estimator corpus (original text, written for this
 * package). `generate.ts` recombines it deterministically into about 100 KB of samples.
 */

export const proseParagraphs: string[] = [
  'The harbour office opens at six, an hour before the first ferry leaves, and by then the queue of delivery vans already reaches the bakery on the corner. Most drivers know each other by name. They trade complaints about the new parking rules, the price of diesel and the weather, which on this stretch of coast changes faster than anyone can plan for.',
  'When the library moved into the old textile mill, nobody expected the building to work as well as it does. The high windows that once lit the looms now fall across long reading tables, and the iron columns, painted a soft green, divide the floor into quiet bays without a single interior wall.',
  'Engineers like to say that every cache is a bet on the future. You store an answer because you think someone will ask the same question again soon; if they do, you win time, and if they do not, you have spent memory on nothing. The art lies in guessing which questions come back.',
  'She kept a notebook for every garden she had ever planted. The early ones were full of confident plans and neat diagrams; the later ones mostly recorded failures, with careful notes on what the slugs had eaten, which seeds never came up and how late the frost had arrived that year.',
  'A rate limiter is a promise made on behalf of someone else. The provider says it will serve sixty requests a minute, and your program agrees to ask for no more than that, even when a hundred users click the same button in the same second. Keeping that promise politely is harder than it sounds.',
  'The river floods almost every spring now. Residents have learned to move their cars to the upper road when the gauge near the bridge passes three metres, and the school keeps a second set of books on the top shelf, just in case the water finds its way under the door again.',
  'Good documentation answers the question the reader actually has, not the question the author wished they had. It starts with a working example, explains the defaults, and admits the limits plainly, so that nobody discovers them at three in the morning during an outage.',
  'On the night train to the mountains, the dining car closes early and the conductor walks the corridor twice, checking tickets with a small torch. Outside, the villages pass as clusters of orange light, each one gone before you can read the name on the station sign.',
  'Measuring is the only honest way to argue about performance. A benchmark that runs once on a quiet laptop proves very little; one that compares two libraries side by side, in the same process and on the same input, at least makes the comparison fair, even if the absolute numbers wander.',
  "My grandfather repaired clocks in a workshop no larger than a wardrobe. He worked with the door open so he could hear the street, and he claimed that a good clock had a sound you could recognise across the room, the way you recognise a friend's footsteps on the stairs.",
  'Circuit breakers in software borrow their name from the switch in your fuse box. When too many calls fail in a row, the breaker opens and further calls fail immediately, which gives the struggling service a moment to recover instead of burying it under retries it cannot answer.',
  "The museum's newest exhibit is a single room, painted black, with one lamp hanging over a wooden table. On the table lies a letter written in 1887 by a lighthouse keeper to his sister, describing the storm that kept him awake for three nights and the ship he could not save.",
  "Token counts matter because models are billed by the token and limited by the token. A prompt that fits comfortably in one model's context may overflow another's, and the cost of a long conversation grows with every message that is sent back to the model on the next turn.",
  'By late afternoon the market square empties out. The fish stalls are hosed down, the flower sellers pack their buckets into small vans, and the pigeons take over the cobblestones, searching for crumbs under the benches where office workers ate their lunch.',
  'Nobody on the team remembered why the retry limit was set to seven. It had been seven for years, through three rewrites and two changes of hosting provider, and when someone finally measured it, the data showed that almost every request that succeeded did so on the first or second attempt.',
  'The recipe calls for two cups of flour, a pinch of salt, three eggs and enough milk to make a batter that coats the back of a spoon. Let it rest for half an hour, heat the pan until a drop of water skips across it, and do not worry if the first pancake is a disaster; it always is.',
  'Distributed systems fail in interesting ways. A network partition can leave two halves of a cluster each believing the other has died, a clock that drifts by a few seconds can reorder events, and a single slow disk can turn a healthy service into one that times out on every tenth request.',
  "In winter the island's population drops to a few hundred people. The ferry runs twice a week, the pub opens only on Fridays, and the postwoman, who also drives the school bus, knows exactly which houses are empty and which ones still have a light on after dark.",
  'Estimating is not the same as guessing. A good estimate says how wrong it might be, learns from the answers it gets back, and becomes more precise over time; a guess simply repeats the same number and hopes that nobody checks it against reality.',
  'The orchestra rehearses on Tuesday evenings in the back hall of the church. The heating has been broken since October, so the violinists play in fingerless gloves, and the conductor, who is also the organist, keeps a thermos of tea on the music stand beside the score.',
];

export const proseSentences: string[] = [
  'The first release shipped on a Friday, which in hindsight was a mistake.',
  'Prices went up again in March, mostly because of the cost of energy.',
  'Two of the four servers were still running an older version of the kernel.',
  'It rained for eleven days straight, and the footpath turned into a stream.',
  'The committee postponed its decision until the next quarterly meeting.',
  'Most users never change the default settings, so the defaults matter enormously.',
  'A small fox crossed the road just ahead of the headlights and vanished into the hedge.',
  'The report runs to ninety pages, but the summary on page two says nearly everything.',
  'He said the delay was temporary; that was three weeks ago.',
  'The new bridge will carry cyclists and pedestrians but not cars.',
  'We measured the latency at the 50th, 95th and 99th percentile for every endpoint.',
  'Her first novel sold fewer than a thousand copies; her second was translated into twelve languages.',
  'The cache hit rate dropped sharply after the deploy, from 82% to 31%.',
  'Nobody answered the phone at the front desk, so we walked straight up to the fourth floor.',
  'The council voted to keep the swimming pool open through the summer holidays.',
  'If the queue is full, the request waits up to five seconds and then fails with a clear error.',
  'Bread rises faster in a warm kitchen, which is why the dough doubled before lunch.',
  'The museum reopened after a two-year renovation that cost twice the original budget.',
  'Every error carries a stable code, so that callers can branch on it without parsing messages.',
  'The hikers reached the ridge just before noon and ate their sandwiches in the wind.',
  'Our on-call engineer was paged at 03:14 and had the service back by 03:40.',
  'Students who slept at least seven hours scored noticeably better on the afternoon test.',
  'Each request to the model costs a fraction of a cent, but millions of them add up quickly.',
  'The old lighthouse has been converted into a small hotel with only four rooms.',
  'A well-written changelog tells users what changed for them, not what changed in the code.',
  'The train was cancelled because of a signal failure near the junction.',
  'Throughput doubled once the connections were reused instead of reopened for every call.',
  'In the end, the simplest solution turned out to be the most reliable one.',
  "The farmer's market now accepts card payments, which has doubled its Saturday sales.",
  'Why does the context window fill up so quickly? Because every turn resends the whole history.',
];

export const codeSnippets: string[] = [
  `export async function fetchWithRetry(url: string, attempts = 3, signal?: AbortSignal): Promise<Response> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, { signal });
      if (response.status >= 500) throw new Error(\`server error \${response.status}\`);
      return response;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 100));
    }
  }
  throw lastError;
}`,
  `def moving_average(values, window=5):
    """Return the simple moving average of a list of numbers."""
    if window <= 0:
        raise ValueError(f"window must be positive, got {window}")
    result = []
    total = 0.0
    for index, value in enumerate(values):
        total += value
        if index >= window:
            total -= values[index - window]
        if index >= window - 1:
            result.append(total / window)
    return result


if __name__ == "__main__":
    print(moving_average([3, 5, 8, 13, 21, 34, 55], window=3))`,
  `package main

import (
	"fmt"
	"net/http"
	"time"
)

func healthHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\\"status\\":\\"ok\\",\\"time\\":%d}", time.Now().Unix())
}

func main() {
	http.HandleFunc("/health", healthHandler)
	server := &http.Server{Addr: ":8080", ReadTimeout: 5 * time.Second}
	if err := server.ListenAndServe(); err != nil {
		panic(err)
	}
}`,
  `SELECT c.id, c.name, COUNT(o.id) AS order_count, SUM(o.total_cents) / 100.0 AS revenue
FROM customers AS c
LEFT JOIN orders AS o ON o.customer_id = c.id AND o.created_at >= NOW() - INTERVAL '30 days'
WHERE c.deleted_at IS NULL
GROUP BY c.id, c.name
HAVING COUNT(o.id) > 2
ORDER BY revenue DESC
LIMIT 50;`,
  `#!/usr/bin/env bash
set -euo pipefail

BACKUP_DIR="/var/backups/app/$(date +%Y-%m-%d)"
mkdir -p "$BACKUP_DIR"
for db in users orders inventory; do
  pg_dump --format=custom --file="$BACKUP_DIR/$db.dump" "$db"
  echo "dumped $db ($(du -h "$BACKUP_DIR/$db.dump" | cut -f1))"
done
find /var/backups/app -maxdepth 1 -type d -mtime +14 -exec rm -rf {} +`,
  `interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function take(bucket: Bucket, now: number, ratePerSecond: number, capacity: number): boolean {
  const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
  bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * ratePerSecond);
  bucket.updatedAt = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}`,
  `class LRUCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        value = self.items.pop(key, None)
        if value is not None:
            self.items[key] = value
        return value

    def put(self, key: str, value: bytes) -> None:
        self.items.pop(key, None)
        self.items[key] = value
        while len(self.items) > self.capacity:
            oldest = next(iter(self.items))
            del self.items[oldest]`,
  `const server = http.createServer(async (req, res) => {
  if (req.method !== 'POST' || req.url !== '/api/chat') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const word of String(body.prompt ?? '').split(/\\s+/)) {
    res.write(JSON.stringify({ response: word + ' ', done: false }) + '\\n');
  }
  res.end(JSON.stringify({ response: '', done: true, eval_count: 42 }) + '\\n');
});`,
  `fn parse_duration(input: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = input.split_at(input.find(|c: char| !c.is_ascii_digit()).unwrap_or(input.len()));
    let value: u64 = number.parse().map_err(|e| format!("bad number {number:?}: {e}"))?;
    match unit {
        "ms" => Ok(std::time::Duration::from_millis(value)),
        "s" | "" => Ok(std::time::Duration::from_secs(value)),
        "m" => Ok(std::time::Duration::from_secs(value * 60)),
        other => Err(format!("unknown unit {other:?}")),
    }
}`,
  `.card {
  display: grid;
  grid-template-columns: 64px 1fr auto;
  gap: 12px 16px;
  padding: 16px 20px;
  border-radius: 8px;
  background: var(--surface, #fff);
  box-shadow: 0 1px 2px rgba(0, 0, 0, 0.08), 0 4px 12px rgba(0, 0, 0, 0.04);
}

@media (max-width: 600px) {
  .card { grid-template-columns: 1fr; }
}`,
];

export const identifierWords: string[] = [
  'user',
  'order',
  'invoice',
  'token',
  'bucket',
  'request',
  'response',
  'session',
  'cache',
  'queue',
  'worker',
  'model',
  'prompt',
  'budget',
  'limit',
  'window',
  'retry',
  'timeout',
  'breaker',
  'pool',
  'socket',
  'header',
  'payload',
  'record',
  'entry',
  'stream',
  'chunk',
  'buffer',
  'parser',
  'index',
];

export const cjkParagraphs: string[] = [
  '今天早上下了一场大雨，街上的行人都撑着伞匆匆走过。公交车比平时晚了二十分钟，很多上班族只好在站台上一边等车一边看手机。',
  '这家小餐馆开了将近三十年，老板每天凌晨四点就起床熬汤。附近的居民说，只要闻到骨头汤的香味，就知道新的一天开始了。',
  '在软件开发中，缓存可以显著降低延迟，但也会带来数据不一致的问题。因此，设计缓存策略时必须仔细考虑过期时间和失效机制。',
  '图书馆的三楼是安静阅读区，禁止打电话和大声交谈。窗边的座位最受欢迎，每到考试周，早上八点之前就已经坐满了学生。',
  '模型的上下文窗口是有限的。如果对话历史太长，最早的消息就会被截断，模型也就无法再参考那些内容来回答问题。',
  '秋天的山路两旁长满了红色和黄色的树叶。我们沿着小溪走了两个小时，终于在中午之前到达了山顶的观景台。',
  '东京の朝は早い。始発電車が動き出す前から、駅前のコンビニには仕事に向かう人たちが集まり、コーヒーとおにぎりを買っていく。',
  'このライブラリは、リクエストの数を自動的に制限し、サーバーが過負荷にならないようにします。設定は簡単で、数行のコードで導入できます。',
  '祖母の家の庭には大きな柿の木があって、秋になると毎年たくさんの実がなった。子どもの頃、私はその木に登るのが大好きだった。',
  '新しい駅ビルには本屋、カフェ、そして小さな映画館が入っている。週末になると家族連れでとても賑わう。',
  '서울의 겨울은 춥고 건조하다. 아침마다 사람들은 두꺼운 외투를 입고 따뜻한 커피를 손에 든 채 지하철역으로 서둘러 간다.',
  '이 서비스는 요청이 실패하면 잠시 기다린 후 다시 시도합니다. 연속으로 여러 번 실패하면 회로 차단기가 열리고 추가 요청을 즉시 거부합니다.',
];

export const markdownBits: string[] = [
  '## Getting started\n\nInstall the package with `pnpm add @example/client`, then create a client:\n\n```ts\nimport { createClient } from "@example/client";\n\nconst client = createClient({ baseUrl: "http://localhost:11434" });\nconst answer = await client.complete({ model: "llama3.2", prompt: "Why is the sky blue?" });\nconsole.log(answer.text);\n```\n',
  '| Option | Type | Default | Description |\n|---|---|---|---|\n| `capacity` | `number` | `1000` | Maximum number of entries kept in memory. |\n| `ttl` | `number` | `300_000` | Time to live in milliseconds. |\n| `compress` | `boolean` | `true` | Compress values larger than 1 KiB. |\n',
  '> **Note**\n> The estimate is only as good as the data it was calibrated on. Feed it real usage numbers from the server whenever you can.\n',
  '- [x] Write the migration\n- [x] Backfill the new column in batches of 10,000 rows\n- [ ] Remove the old column after two releases\n- [ ] Update the dashboard queries\n',
  '### Troubleshooting\n\nIf you see `ECONNREFUSED 127.0.0.1:11434`, the server is not running. Start it with `ollama serve` and try again. On macOS the app starts the server automatically.\n',
];

export const multilingualParagraphs: string[] = [
  "Le marché couvert ouvre à sept heures. Les maraîchers déchargent leurs cagettes de légumes pendant que le boulanger d'à côté sort les premières fournées ; à huit heures, l'odeur du pain chaud a déjà envahi toute la rue.",
  "Quand le serveur ne répond plus, la bibliothèque attend quelques secondes, puis réessaie. Après trois échecs consécutifs, le disjoncteur s'ouvre et les requêtes suivantes échouent immédiatement, sans surcharger davantage le service.",
  'Im Winter fährt die Fähre nur zweimal pro Woche. Die Bewohner der Insel kaufen deshalb große Vorräte ein, und der Bäcker backt am Freitag doppelt so viel Brot wie an anderen Tagen.',
  'Die Größe des Kontextfensters hängt vom Modell ab. Wenn der Verlauf zu lang wird, schneidet der Server die ältesten Nachrichten stillschweigend ab, und das Modell kann sich nicht mehr an sie erinnern.',
  'La biblioteca del pueblo abrió en una antigua fábrica de tejidos. Las ventanas altas iluminan las mesas de lectura y, por las tardes, los niños hacen los deberes junto a las columnas de hierro pintadas de verde.',
  'Cada solicitud al modelo cuesta una fracción de céntimo, pero millones de ellas suman rápidamente. Por eso conviene contar los tokens antes de enviar la petición y guardar en caché las respuestas deterministas.',
  'Зимой на острове остаётся всего несколько сотен жителей. Паром ходит два раза в неделю, а почтальон, который также водит школьный автобус, знает, в каких домах по вечерам ещё горит свет.',
  'Если очередь заполнена, запрос ждёт не более пяти секунд, а затем завершается понятной ошибкой. Так сервис не падает под нагрузкой, а пользователи сразу видят, что нужно повторить попытку позже.',
  'Το πρωί στο λιμάνι ξεκινά νωρίς. Οι ψαράδες γυρίζουν με τις βάρκες τους πριν ανατείλει ο ήλιος και οι ταβέρνες ετοιμάζουν τον καφέ για τους πρώτους επιβάτες του πλοίου.',
  'Release notes 🎉: faster token counting 🚀, calibrated estimates 📏 and clearer errors ❌➡️✅. Thanks to everyone who reported bugs 🙏 — see you at the next meetup ☕️!',
  'Ça marche ✅ — die Tests laufen grün 🟢, los números cuadran 📊 y всё работает 👍. Next step: ship it 🚢 and watch the dashboards 👀 overnight 🌙.',
];
