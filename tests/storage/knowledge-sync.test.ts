/** A document uploaded in the console of one process is served by every process on the same database, without a restart. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createRuntime } from '../../src/runtime.ts';
import { freshDatabase, noticeSkipped, pgAvailable, startCluster, type PgCluster } from '../helpers/pg-cluster.ts';
import { ROOT } from '../helpers/run-cli.ts';
import { Client, consoleKit, RecordingChannel, TEST_NOW } from '../web/console-kit.ts';

noticeSkipped('tests/storage/knowledge-sync.test.ts');

const QUESTION = '示例市陶瓷洁具质量奖多久评选一次';
let cluster: PgCluster | undefined;
afterAll(async () => cluster?.stop());

const engines = [
  { name: 'sqlite', available: true, env: async (_dir: string) => ({}) as Record<string, string> },
  {
    name: 'postgres',
    available: pgAvailable(),
    env: async () => {
      cluster ??= await startCluster();
      return { DATABASE_URL: await freshDatabase(cluster) } as Record<string, string>;
    },
  },
];

for (const engine of engines) {
  describe.skipIf(!engine.available)(`knowledge across processes (${engine.name})`, () => {
    it('a second process answers from a document uploaded on the first, within seconds', async () => {
      const env = { KNOWLEDGE_POLL_MS: '300', ...(await engine.env('')) };
      const kit = await consoleKit({ env });
      const config = loadConfig({ LOG_LEVEL: 'silent', DB_PATH: join(kit.dir, 'bot.db'), ...env });
      const other = await createRuntime({ config, dbPath: join(kit.dir, 'bot.db'), dataDir: kit.dataDir, channels: [new RecordingChannel()], quiet: true });
      try {
        expect(other.bot.ask(QUESTION, TEST_NOW).citations.some((c) => c.title.includes('示例市'))).toBe(false);
        const c = new Client(kit.app);
        await c.signIn(kit);
        const up = await c.upload('/documents/upload', '示例市 陶瓷洁具办法.txt', readFileSync(join(ROOT, 'tests/web/fixtures/good-policy.txt')));
        expect(up.statusCode).toBe(200);
        const end = Date.now() + 15_000;
        let text = '';
        while (Date.now() < end) {
          text = (await other.bot.handle({ channel: 'console', chat: 'q', user: 'q', text: QUESTION, at: TEST_NOW }))[0].text;
          if (text.includes('每两年评选一次')) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(text).toContain('每两年评选一次');
      } finally {
        await other.close();
        await kit.close();
      }
    }, 90_000);
  });
}
