import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import sqlite3 from 'sqlite3';
import { SqliteStore } from '/work/main/src/storage/sqlite-store.ts';
import { seedSubscribers, tempDbPath } from '/work/main/tests/scheduling/fixtures/test-kit.ts';
const child = '/work/main/tests/scheduling/fixtures/deliver-child.ts';
const run = (path: string, killAfter?: number) => new Promise<string[]>((resolve) => {
  const p = spawn(process.execPath, ['--import', 'tsx', child, path], { stdio: ['ignore', 'pipe', 'inherit'], cwd: '/work/main' });
  let out = '';
  p.stdout.on('data', (d: Buffer) => { out += d.toString(); if (killAfter !== undefined && out.split('\n').length > killAfter) p.kill('SIGKILL'); });
  p.on('close', () => resolve(out.split('\n').filter(Boolean)));
});
const q = (path: string, sql: string) => new Promise<any[]>((res, rej) => { const db = new sqlite3.Database(path, () => db.all(sql, (e, r) => db.close(() => e ? rej(e) : res(r)))); });
const N = Number(process.argv[2] ?? 20);
for (let i = 0; i < N; i++) {
  const t = tempDbPath('kd-');
  await (await SqliteStore.open(t.path)).close();
  await seedSubscribers(t.path, 'console', Array.from({ length: 1000 }, (_, i) => 'u' + i));
  const s = await SqliteStore.open(t.path);
  await s.createBroadcast({ senderChannel: 'console', senderChat: 'staff', text: 'x' }, new Date());
  await s.close();
  const a = await run(t.path, 100 + Math.floor(Math.random() * 400));
  const journal = existsSync(t.path + '-sending') ? readFileSync(t.path + '-sending', 'utf8') : '';
  const sending = await q(t.path, "SELECT id, chat, attempts, state FROM outbox WHERE state='sending'");
  const seenA = new Set(a.map((l) => JSON.parse(l).chat));
  const b = await run(t.path);
  const counts = new Map<string, number>();
  for (const l of [...a, ...b]) { const m = JSON.parse(l); if (m.data?.broadcast) counts.set(m.chat, (counts.get(m.chat) ?? 0) + 1); }
  const missing = Array.from({ length: 1000 }, (_, i) => 'u' + i).filter((c) => !counts.has(c));
  if (missing.length) {
    const rows = await q(t.path, `SELECT id, chat, state, attempts, last_error FROM outbox WHERE chat IN (${missing.map((m) => `'${m}'`).join(',')})`);
    console.log('run', i, 'killed after', a.length, 'missing', rows, 'sending at kill', sending.length, sending.slice(0, 3), 'journal lines', journal.split('\n').length, 'journal has', rows.map((r) => journal.split('\n').filter((l) => l.startsWith(r.id + ' '))), 'last lines', a.slice(-2));
  }
  t.cleanup();
}
console.log('done');
