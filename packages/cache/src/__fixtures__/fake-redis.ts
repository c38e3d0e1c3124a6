/**
 * A fake Redis for tests that need replies a real one never gives (an integer for `GET`, a script
 * answering a string): a TCP server speaking enough RESP for ioredis, whose replies a test chooses
 * per command. Unknown commands (ioredis' `INFO` ready check among them) get `+OK`.
 */
import { createServer, type Socket } from 'node:net';

/** A raw RESP reply, such as `':5\r\n'`, for a command's name (upper case) and arguments. */
export type FakeReply = (args: string[]) => string;

export interface FakeRedis {
  readonly url: string;
  /** Every command received, as `[NAME, ...args]`. */
  readonly received: string[][];
  close(): Promise<void>;
}

/** Parses the RESP arrays of bulk strings a client sends; returns the commands and what is left. */
function parse(buffer: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    const start = at;
    const line = (from: number) => {
      const end = buffer.indexOf('\r\n', from);
      return end === -1 ? undefined : { text: buffer.toString('latin1', from, end), next: end + 2 };
    };
    const head = line(at);
    if (head === undefined) break;
    const count = Number(head.text.slice(1));
    at = head.next;
    const args: string[] = [];
    let complete = true;
    for (let i = 0; i < count; i++) {
      const size = line(at);
      if (size === undefined) {
        complete = false;
        break;
      }
      const length = Number(size.text.slice(1));
      if (buffer.length < size.next + length + 2) {
        complete = false;
        break;
      }
      args.push(buffer.toString('utf8', size.next, size.next + length));
      at = size.next + length + 2;
    }
    if (!complete) {
      at = start;
      break;
    }
    commands.push([args[0]!.toUpperCase(), ...args.slice(1)]);
  }
  return { commands, rest: buffer.subarray(at) };
}

/** Starts a fake Redis on a free loopback port, answering each command with `replies[NAME]`. */
export async function startFakeRedis(replies: Record<string, FakeReply>): Promise<FakeRedis> {
  const received: string[][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      const { commands, rest } = parse(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const [name, ...args] of commands) {
        received.push([name!, ...args]);
        socket.write(replies[name!]?.(args) ?? '+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
