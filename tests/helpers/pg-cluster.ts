/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, owned by the `postgres` user when run as
 * root (initdb refuses root), started on a free port on 127.0.0.1 with fsync off, removed afterwards.
 * `.ci/run` starts one and sets TEST_PG_URL; without it a test file starts its own. Each caller gets a fresh database.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The folder of Debian's PostgreSQL binaries (newest version), or undefined when none is installed. */
export function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

/** Whether PostgreSQL tests can run here: a cluster is given (TEST_PG_URL) or the binaries exist. */
export function pgAvailable(): boolean {
  return Boolean(process.env.TEST_PG_URL) || pgBinDir() !== undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Runs a PostgreSQL binary as the `postgres` user when this process is root. */
function asPostgres(bin: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const r = root ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' }) : spawnSync(bin, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

/** A running throwaway cluster. */
export interface PgCluster {
  /** URL of the `postgres` database (superuser, trust authentication on 127.0.0.1). */
  url: string;
  /** Stops the server and removes its folder (a cluster given by TEST_PG_URL is left running). */
  stop(): Promise<void>;
}

/** Starts a throwaway cluster, or uses the one named by TEST_PG_URL. */
export async function startCluster(): Promise<PgCluster> {
  if (process.env.TEST_PG_URL) return { url: process.env.TEST_PG_URL, stop: async () => undefined };
  const bin = pgBinDir();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'pgtest-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Creates a fresh, empty database on the cluster and resolves its URL. */
export async function freshDatabase(cluster: PgCluster): Promise<string> {
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const c = new pg.Client({ connectionString: cluster.url });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(cluster.url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Prints, once per file, why the PostgreSQL tests of that file are skipped. */
export function noticeSkipped(file: string): void {
  if (!pgAvailable()) process.stderr.write(`NOTICE: ${file}: PostgreSQL tests skipped: no PostgreSQL binary (apt-get install postgresql) and no TEST_PG_URL\n`);
}
