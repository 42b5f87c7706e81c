/** One bench process: opens the store (SQLite file or PostgreSQL URL), waits for "go" on stdin, then delivers or scans, and prints what it did as JSON. */
import { createInterface } from 'node:readline';
import type { Channel } from '../src/core/channel.ts';
import { DeliveryService } from '../src/scheduling/delivery-service.ts';
import { openStore } from '../src/storage/open-store.ts';

const [mode, target, today] = process.argv.slice(2);
const store = await openStore(target.startsWith('postgres') ? { databaseUrl: target, dbPath: '', journalDir: process.env.SEND_JOURNAL_DIR } : { dbPath: target });
let delivered = 0;
const instant: Channel = {
  name: 'bench',
  minSendIntervalMs: 0,
  async start() {},
  async stop() {},
  async send(msg) {
    if (msg.data && 'broadcast' in msg.data) delivered += 1;
  },
};
const service = new DeliveryService(store, new Map(mode === 'deliver' ? [['bench', instant]] : []));
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
let created = 0;
const t0 = performance.now();
if (mode === 'deliver') {
  // Passes until nothing is left for anyone (another process may still hold rows for a moment).
  for (let i = 0; i < 1000; i++) {
    await service.runDue(new Date());
    const c = await store.outboxCounts();
    if (c.pending === 0 && c.sending === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
} else {
  // A scheduler pass, as the bot runs it: on SQLite only the lease holder scans; on PostgreSQL every process does.
  created = (await service.runPass(new Date(`${today}T09:00:00+08:00`))).enqueued;
}
const ms = performance.now() - t0;
await service.stop();
await store.close();
process.stdout.write(`${JSON.stringify({ delivered, created, ms })}\n`);
lines.close();
