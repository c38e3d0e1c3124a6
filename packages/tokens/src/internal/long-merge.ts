import type { RankTable } from './rank-table';

// A step of the merge between two yields: 4,096 pairs or merges, ~0.1-0.5 ms (one check of the
// clock per step is nothing beside it, and a cooperative count overshoots its turn by at most that).
const STEP_MASK = 4_095;

// Bytes of a piece whose merge arrays are allocated a step each (at 4 bytes a byte).
const BIG_PIECE = 1 << 18;

/**
 * The same merge for long pieces in O(n log n), with a fixed ~21 bytes per byte of the piece and
 * nothing allocated per merge: parts form a linked list keyed by their start offset (`end`,
 * `prev`), and each part whose pair with the next part is a token sits once in an indexed min-heap
 * ordered by (rank, start) - the quadratic loop's "lowest rank, leftmost first", since a part's
 * start never moves - whose entry is updated in place when a merge changes that pair. Ranks are
 * looked up by byte range in `table`, without cutting the pair out as a string. Keeps a 100 KB run
 * of one character (which no regex split breaks up) from taking seconds.
 *
 * A generator: it yields every 4,096 pairs and merges, so a cooperative count
 * (`BpeCounter.countSteps`) can give the event loop a turn in the middle of a piece of megabytes
 * (one piece of `'a'` × 2e6 merges for ~1.4 s). Pausing changes nothing of the merge: the
 * count is the same.
 */
export function* mergeStepsLong(bytes: Uint8Array, table: RankTable): Generator<undefined, number> {
  const n = bytes.length;
  // A yield after each array of a piece of megabytes: allocating one costs ~5 ms per megabyte.
  const big = n > BIG_PIECE;
  const end = new Int32Array(n); // end[i]: end offset of the part starting at i
  if (big) yield;
  const prev = new Int32Array(n); // prev[i]: start of the part before i (-1 for the first)
  if (big) yield;
  const rank = new Int32Array(n); // rank[i]: rank of part i joined with the next one, when in the heap
  if (big) yield;
  const heap = new Int32Array(n); // part starts
  if (big) yield;
  const pos = new Int32Array(n).fill(-1); // pos[i]: index of part i in `heap`, -1 when absent
  if (big) yield;
  let size = 0;
  const less = (a: number, b: number) => rank[a]! < rank[b]! || (rank[a] === rank[b] && a < b);
  const place = (at: number, part: number) => {
    heap[at] = part;
    pos[part] = at;
  };
  const siftUp = (at: number) => {
    const part = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!less(part, heap[parent]!)) break;
      place(at, heap[parent]!);
      at = parent;
    }
    place(at, part);
  };
  const siftDown = (at: number) => {
    const part = heap[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const child = left + 1 < size && less(heap[left + 1]!, heap[left]!) ? left + 1 : left;
      if (!less(heap[child]!, part)) break;
      place(at, heap[child]!);
      at = child;
    }
    place(at, part);
  };
  const remove = (part: number) => {
    const at = pos[part]!;
    if (at < 0) return;
    pos[part] = -1;
    size--;
    if (at === size) return;
    const moved = heap[size]!;
    place(at, moved);
    siftUp(at);
    siftDown(pos[moved]!);
  };
  // (Re)computes the pair of `part` with the next part and puts it in, or takes it out of, the heap.
  const pair = (part: number) => {
    const right = end[part]!;
    const found = right < n ? table.rank(bytes, part, end[right]!) : -1;
    if (found < 0) return remove(part);
    rank[part] = found;
    const at = pos[part]!;
    if (at < 0) {
      place(size, part);
      siftUp(size++);
    } else {
      siftUp(at);
      siftDown(pos[part]!);
    }
  };
  for (let i = 0; i < n; i++) {
    end[i] = i + 1;
    prev[i] = i - 1;
    if ((i & STEP_MASK) === STEP_MASK) yield;
  }
  for (let i = 0; i < n - 1; i++) {
    pair(i);
    if ((i & STEP_MASK) === STEP_MASK) yield;
  }
  let parts = n;
  while (size > 0) {
    const start = heap[0]!;
    const right = end[start]!;
    remove(right);
    end[start] = end[right]!;
    if (end[start]! < n) prev[end[start]!] = start;
    parts--;
    pair(start);
    const before = prev[start]!;
    if (before >= 0) pair(before);
    if ((parts & STEP_MASK) === 0) yield;
  }
  return parts;
}

/**
 * {@link mergeStepsLong} run to its end at once: the synchronous count. Driving the generator
 * costs one resumption per 4,096 merges (~0.1 % of the merge).
 */
export function mergeCountLong(bytes: Uint8Array, table: RankTable): number {
  const steps = mergeStepsLong(bytes, table);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}
