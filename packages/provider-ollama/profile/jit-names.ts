/**
 * Instructions by JavaScript function, for `instructions.ts --js`. Valgrind names V8's generated
 * code by address only (cachegrind's `???`); run under callgrind with `--dump-instr=yes`, each
 * address has its own count, and V8's perf map (`node --perf-basic-prof` writes
 * `/tmp/perf-<pid>.map`: start, size and name of every code object it creates) names the function
 * that address belongs to. A line is a function's own instructions (`[self]`), or everything a
 * builtin it called executed (`-> Builtins_KeyedLoadIC_Megamorphic`: a generic property load,
 * `StringAdd`: a concatenation, `FindOrderedHashMapEntry`: a `Map` lookup), per call.
 *
 * A guide, not a ledger: code objects are freed and their addresses reused, and the map keeps the
 * last name written for an address, so a few lines name functions that ran once (module setup,
 * `~` interpreted) or code that never ran hot. Confirm a finding by changing the code and counting
 * the whole call again.
 */
import { readFileSync, rmSync } from 'node:fs';

interface CodeRange {
  start: number;
  end: number;
  name: string;
}

function perfMap(pid: number): CodeRange[] {
  const file = `/tmp/perf-${pid}.map`;
  const ranges: CodeRange[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(?:0x)?([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (match === null) continue;
    const start = Number.parseInt(match[1]!, 16);
    ranges.push({ start, end: start + Number.parseInt(match[2]!, 16), name: match[3]! });
  }
  rmSync(file, { force: true });
  return ranges;
}

/** The name of the code at `address`: the latest code object written there. */
function namer(ranges: CodeRange[]): (address: number) => string {
  const known = new Map<number, string>();
  return (address) => {
    let name = known.get(address);
    if (name === undefined) {
      name = '(not in the perf map)';
      for (let i = ranges.length - 1; i >= 0; i--) {
        const range = ranges[i]!;
        if (address >= range.start && address < range.end) {
          name = range.name;
          break;
        }
      }
      known.set(address, name);
    }
    return name;
  };
}

/**
 * Builtins that call on into JavaScript (calls, constructors, the C++ entry, tier-up prologues):
 * their inclusive count is other functions' work, counted there.
 */
const CALLS_ON =
  /^Builtins_(Call|Construct|JSConstruct|CEntry|BaselineOutOfLine|Interpreter|JSEntry|FunctionPrototype|ReflectApply)/;

/**
 * Instructions by JavaScript function in a callgrind output file written with
 * `--dump-instr=yes --compress-strings=no --compress-pos=no` by process `pid`. Generated code is
 * named `0x...` there; lines are `<address> <line> <count>`, and a call is `cfn=`, `calls=`, then
 * the calling instruction's line with the callee's inclusive count.
 */
export function byJsFunction(file: string, pid: number): Map<string, number> {
  const name = namer(perfMap(pid));
  const counts = new Map<string, number>();
  const add = (key: string, n: number) => counts.set(key, (counts.get(key) ?? 0) + n);
  let fn = '';
  let callee = '';
  let call = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) fn = line.slice(3);
    else if (line.startsWith('cfn=')) callee = line.slice(4);
    else if (line.startsWith('calls=')) call = true;
    else if (line.startsWith('0x')) {
      const generated = fn.startsWith('0x');
      const isCall = call;
      call = false;
      if (!generated) continue;
      const fields = line.split(' ');
      const address = Number.parseInt(fields[0]!, 16);
      const n = Number(fields[fields.length - 1]);
      // Calls between generated functions are counted at the callee, as its own instructions.
      if (!isCall) add(`${name(address)}  [self]`, n);
      else if (!callee.startsWith('0x') && !CALLS_ON.test(callee)) {
        add(`${name(address)}  -> ${callee}`, n);
      }
    }
  }
  return counts;
}
