import { createServer } from 'node:http';
import { createPool } from './src/index';

const s6 = createServer((req, res) => res.end('v6'));
await new Promise<void>((r) => s6.listen(0, '::1', r));
const s4 = createServer((req, res) => res.end('v4'));
await new Promise<void>((r) => s4.listen(0, '127.0.0.1', r));
const pool = createPool();
const lookups: any[] = [];
pool.onDnsLookup((e) => lookups.push(e));
try {
  const r = await pool.request(`http://[::1]:${(s6.address() as any).port}/`);
  console.log('v6', await r.body.text());
} catch (e: any) {
  console.log('v6 err', e.code, e.message);
}
for (let i = 0; i < 3; i++) {
  try {
    const r = await pool.request(`http://localhost:${(s4.address() as any).port}/`, {
      reset: true,
    });
    console.log('localhost', await r.body.text());
  } catch (e: any) {
    console.log('localhost err', e.code, e.message);
  }
}
try {
  const r = await pool.fetch(`http://[::1]:${(s6.address() as any).port}/`);
  console.log('fetch v6', await r.text());
} catch (e: any) {
  console.log('fetch v6 err', e.cause?.code, e.message);
}
console.log(lookups, JSON.stringify(pool.stats().dns), Object.keys(pool.stats().origins));
await pool.close();
s6.close();
s4.close();
