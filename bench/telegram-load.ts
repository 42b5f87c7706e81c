/**
 * Load on the Telegram emulator (a bench, not a test): the real bot (`node scripts/launch.mjs main`, as `npm start` runs
 * it) in webhook mode against telegram-test-api on loopback. A burst of 1,000 questions from 200 users is posted to the
 * webhook over 40 connections (Telegram's default), while 50 other users go through a pre-check step by step.
 * Prints webhook acknowledgement p50/p99, pre-check step p50/p99 (answer posted → next question arrives) and the
 * bot process's peak RSS. Run: `npx tsx bench/telegram-load.ts [burst users] [questions each] [pre-check users]`.
 */
process.env.DOTENV_CONFIG_QUIET = 'true';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTelegramEmulator } from '../tests/channels/telegram-emulator.ts';
import { freePort } from '../tests/helpers/wait.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const [burstUsers = 200, perUser = 5, precheckUsers = 50] = process.argv.slice(2).map(Number);
const TOKEN = '700099:AAbench-token-for-the-load-bench';
const SECRET = 'bench-secret';
const CONNECTIONS = 40;
const DEADLINE_MS = 240_000;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const questions = readFileSync(join(root, 'eval/questions.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { question: string }).question);

const emulator = await startTelegramEmulator();
const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'tg-load-'));
const bot = spawn(process.execPath, ['scripts/launch.mjs', 'main'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'pipe'],
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DB_PATH: join(dir, 'bot.db'),
    LOG_LEVEL: 'warn',
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: emulator.server.config.apiURL,
    WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook`,
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_PORT: String(port),
    WEBHOOK_HOST: '127.0.0.1',
  },
});
let botErr = '';
bot.stderr!.on('data', (d: Buffer) => (botErr = (botErr + d.toString()).slice(-4000)));

/** The bot process's peak resident set so far, in MiB (Linux VmHWM). */
function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${bot.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

// Arrivals of the bot's messages, per chat, as the emulator stores them.
const arrivals = new Map<string, { at: number; text: string; buttons: { text: string; callback_data?: string }[] }[]>();
let seen = 0;
const arrivalTimer = setInterval(() => {
  const all = emulator.server.storage.botMessages;
  for (; seen < all.length; seen++) {
    const m = all[seen];
    if (m.botToken !== TOKEN) continue;
    const chat = String(m.message.chat_id);
    const markup = m.message.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
    const list = arrivals.get(chat) ?? [];
    list.push({ at: performance.now(), text: String(m.message.text ?? ''), buttons: markup?.inline_keyboard?.flat() ?? [] });
    arrivals.set(chat, list);
  }
}, 2);

let updateId = 1;
const acks: number[] = [];
let failedPosts = 0;
/** Posts one text message to the webhook as Telegram would; resolves the acknowledgement time in ms. */
async function post(chat: number, text: string): Promise<void> {
  const id = updateId++;
  const body = JSON.stringify({
    update_id: id,
    message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: chat, type: 'private', first_name: '用户' }, from: { id: chat, is_bot: false, first_name: '用户' }, text },
  });
  const s = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/telegram/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET }, body });
  await res.arrayBuffer();
  acks.push(performance.now() - s);
  if (res.status !== 200) failedPosts++;
}

// Wait for the webhook to listen (the bot builds, opens the store and registers the webhook first).
const started = performance.now();
for (;;) {
  if (bot.exitCode !== null) throw new Error(`bot exited: ${botErr}`);
  try {
    await fetch(`http://127.0.0.1:${port}/`, { method: 'GET' });
    break;
  } catch {
    await sleep(50);
  }
  if (performance.now() - started > 60_000) throw new Error(`bot did not listen: ${botErr}`);
}

const steps: number[] = [];
const stepsByIndex: number[][] = [];
let precheckDone = 0;
let precheckStuck = 0;
/** One user through a pre-check: each step's time from posting the answer to the next message with buttons (or the result). */
async function precheckUser(chat: number): Promise<void> {
  let answer = '/precheck';
  for (let step = 0; step < 12; step++) {
    const before = arrivals.get(String(chat))?.length ?? 0;
    const s = performance.now();
    await post(chat, answer);
    let got: { at: number; buttons: { text: string; callback_data?: string }[] } | undefined;
    const until = performance.now() + 60_000;
    while (!got && performance.now() < until) {
      const list = arrivals.get(String(chat)) ?? [];
      // The step is over when a message arrives; take the last one that arrived together with it.
      if (list.length > before) {
        await sleep(30);
        const all = arrivals.get(String(chat))!;
        got = { at: all[before].at, buttons: all[all.length - 1].buttons };
      } else await sleep(5);
    }
    if (!got) {
      precheckStuck++;
      return;
    }
    steps.push(got.at - s);
    (stepsByIndex[step] ??= []).push(got.at - s);
    const choice = got.buttons[0];
    if (!choice) break;
    answer = choice.callback_data && !choice.callback_data.startsWith('~v') ? choice.callback_data : choice.text;
    await sleep(200); // a person reads and taps
  }
  precheckDone++;
}

const t0 = performance.now();
const rssBefore = peakRssMiB();
// The burst: user-major order per round (everyone's first question, then everyone's second, …) over 40 connections.
const queue: [number, string][] = [];
for (let r = 0; r < perUser; r++) for (let u = 0; u < burstUsers; u++) queue.push([100_000 + u, questions[(u * perUser + r) % questions.length]]);
const burst = Promise.all(
  Array.from({ length: CONNECTIONS }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await post(next[0], next[1]);
  }),
);
const prechecks = Promise.all(Array.from({ length: precheckUsers }, (_, i) => sleep(i * 20).then(() => precheckUser(200_000 + i))));
await burst;
const burstAckedMs = performance.now() - t0;
const burstAcks = [...acks];
await prechecks;
// Wait until every burst user has an answer to each question.
const answered = () => Array.from({ length: burstUsers }, (_, u) => Math.min(perUser, arrivals.get(String(100_000 + u))?.length ?? 0)).reduce((a, b) => a + b, 0);
while (answered() < burstUsers * perUser && performance.now() - t0 < DEADLINE_MS) await sleep(100);
const drainedMs = performance.now() - t0;
const peak = peakRssMiB();
clearInterval(arrivalTimer);
bot.kill('SIGTERM');
await new Promise((r) => bot.once('exit', r));
await emulator.stop();
rmSync(dir, { recursive: true, force: true });

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
console.log(`telegram load (webhook, emulator): ${burstUsers} users × ${perUser} questions + ${precheckUsers} users in a pre-check`);
console.log(`  webhook ack: p50 ${quantile(acks, 0.5).toFixed(1)} ms, p99 ${quantile(acks, 0.99).toFixed(1)} ms, max ${Math.max(...acks).toFixed(1)} ms (${acks.length} posts, ${failedPosts} not 200); burst acknowledged in ${f(burstAckedMs)} ms (p99 ${quantile(burstAcks, 0.99).toFixed(1)} ms)`);
console.log(`  pre-check step: p50 ${f(quantile(steps, 0.5))} ms, p99 ${f(quantile(steps, 0.99))} ms, max ${f(Math.max(...steps))} ms (${steps.length} steps, ${precheckDone} finished, ${precheckStuck} stuck)`);
console.log(`  pre-check step p99 by step: ${stepsByIndex.map((xs, i) => `#${i + 1} ${f(quantile(xs, 0.99))} ms`).join(', ')}`);
console.log(`  burst answered: ${answered()}/${burstUsers * perUser} in ${f(drainedMs)} ms`);
console.log(`  bot process peak RSS: ${peak.toFixed(0)} MiB (at start ${rssBefore.toFixed(0)} MiB)`);
process.exit(0);
