/** Environment configuration, validated with zod; every setting is optional and secrets are never logged. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

/** Comma- or space-separated list of IDs. */
const idList = z
  .string()
  .optional()
  .transform((s) => (s ? s.split(/[\s,]+/).filter(Boolean) : []));

/** One address or range a proxy may connect from: an IPv4 or IPv6 address, a CIDR range, or loopback/linklocal/uniquelocal. */
const PROXY_ADDRESS = /^(?:loopback|linklocal|uniquelocal|(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?|[0-9a-f:]*:[0-9a-f:.]*(?:\/\d{1,3})?)$/i;

/**
 * Which proxies the console trusts for X-Forwarded-For (Fastify's trustProxy): "true" (any), a number of hops, or a
 * comma-separated list of proxy addresses or ranges. Unset: none, so a client can never pick its own address.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((s, ctx): boolean | number | string[] => {
    const t = (s ?? '').trim();
    if (t === '' || t === 'false') return false;
    if (t === 'true') return true;
    if (/^\d{1,2}$/.test(t)) return Number(t);
    const list = t.split(/[\s,]+/).filter(Boolean);
    const bad = list.find((a) => !PROXY_ADDRESS.test(a));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `expected true, a number of hops, or proxy addresses / CIDR ranges separated by commas; "${bad.slice(0, 40)}" is none of these` });
      return z.NEVER;
    }
    return list;
  });

/** Schema of the environment variables the bot reads. */
export const envSchema = z.object({
  DB_PATH: z.string().min(1).default('policy-bot.db'),
  /** PostgreSQL instead of the SQLite file, for several bot processes on one database (postgres://user:pass@host:5432/db). */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/[^\s/]+\/[^\s]*$/, 'expected postgres://user:password@host:5432/database')
    .optional(),
  /** How long a process's claims stay its own without a heartbeat before peers take them over (ms). */
  STORE_LEASE_MS: z.coerce.number().int().min(300).default(30_000),
  /** How often each process checks whether another one changed the documents (ms). */
  KNOWLEDGE_POLL_MS: z.coerce.number().int().min(200).default(3000),
  /** Folder of this host's send journals when DATABASE_URL is set (default: the working directory). */
  SEND_JOURNAL_DIR: z.string().min(1).optional(),
  /** Directory of the award rules files (*.json); data/awards/ when unset. */
  AWARDS_DIR: z.string().min(1).optional(),
  TZ_NAME: z.string().default('Asia/Shanghai'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]{20,}$/, 'expected a token like 123456:ABC-DEF… from @BotFather').optional(),
  TELEGRAM_API_ROOT: z.url().transform((u) => u.replace(/\/+$/, '')).optional(),
  TELEGRAM_ADMIN_IDS: idList,
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'letters, digits, _ and - only').optional(),
  WEBHOOK_PORT: z.coerce.number().int().min(1).max(65535).default(8443),
  WEBHOOK_HOST: z.string().default('0.0.0.0'),
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(8).optional(),
  WECHATY_PUPPET_SERVICE_ENDPOINT: z.string().optional(),
  WECHAT_ADMIN_IDS: idList,
  WECHAT_SEND_INTERVAL_MS: z.coerce.number().int().min(200).default(3000),
  CONSOLE_ADMIN_IDS: idList,
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Online backup into <DB_PATH>.backups/ this often while the bot runs (0: never; default daily). */
  BACKUP_INTERVAL_MS: z.coerce.number().int().min(0).default(86_400_000),
  /** Backups kept; older ones are deleted after a new one passes its check. */
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  /** Minutes of quiet after which a chat's topic lapses and a follow-up no longer refers to the last answer. */
  TOPIC_TTL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  WEB_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PUBLIC_URL: z.url().transform((u) => u.replace(/\/+$/, '')).optional(),
  WEB_TRUST_PROXY: trustProxy,
});

/** The configuration file read by `npm start` and every CLI command alike (default `.env` in the working directory). */
export function envFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.ENV_FILE || '.env');
}

/**
 * The process environment over the configuration file: a variable set in the shell wins over the same one in the
 * file, so `npm start` and `npm run cli -- staff-link` in another shell read the same settings.
 */
export function environment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const file = envFilePath(env);
  if (!existsSync(file)) return env;
  let fromFile: Record<string, string>;
  try {
    fromFile = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new ConfigError(`配置错误 / invalid configuration:\n  ${file}: ${(err as Error).message}`);
  }
  const merged: NodeJS.ProcessEnv = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  return merged;
}

/** Validated configuration. */
export type AppConfig = z.infer<typeof envSchema>;

/**
 * Reads and validates configuration; throws ConfigError naming each bad variable (never its value). Without an
 * explicit `env`, the process environment over the `.env` file (see `environment`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = environment()): AppConfig {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    picked[key] = v === '' ? undefined : v;
  }
  const r = envSchema.safeParse(picked);
  if (!r.success) {
    throw new ConfigError(`配置错误 / invalid configuration:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  if (r.data.WEBHOOK_URL && !r.data.TELEGRAM_BOT_TOKEN) throw new ConfigError('配置错误 / invalid configuration:\n  WEBHOOK_URL is set but TELEGRAM_BOT_TOKEN is not');
  if (r.data.WEBHOOK_URL && !r.data.WEBHOOK_SECRET) throw new ConfigError('配置错误 / invalid configuration:\n  WEBHOOK_SECRET is required with WEBHOOK_URL (Telegram sends it in X-Telegram-Bot-Api-Secret-Token)');
  return r.data;
}

/** Staff IDs per channel name. */
export function staffByChannel(config: AppConfig, extraConsole: string[] = []): Record<string, string[]> {
  return {
    console: [...config.CONSOLE_ADMIN_IDS, ...extraConsole.map((id) => id.trim()).filter(Boolean)],
    telegram: config.TELEGRAM_ADMIN_IDS,
    wechat: config.WECHAT_ADMIN_IDS,
  };
}
