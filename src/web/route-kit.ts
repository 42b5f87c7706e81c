/** What the console's route modules share: the dependencies, the clock, page rendering, audit and the draft guard. */
import type { AwardRules } from '../dialogue/award-rules.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.ts';
import type { Bot } from '../core/bot.ts';
import type { AppStore } from '../storage/store.ts';
import type { Safe } from './html.ts';
import type { WebReportChannel } from './report-channel.ts';

/** What the console needs from the running bot. */
export interface ConsoleDeps {
  store: AppStore;
  bot: Bot;
  /** Asks the delivery service to send what was just queued. */
  poke: () => void;
  config: AppConfig;
  /** Knowledge directory (holding policies/). */
  dataDir: string;
  /** Configured staff as "channel:id"; a session whose staff left this list is refused. */
  staff: () => string[];
  /** Channels that can deliver right now; queued messages for any other channel are shown as waiting for it. */
  connected?: () => readonly string[];
  reports?: WebReportChannel;
  logger?: Logger;
  /** The console's clock (tests set it). */
  now?: () => Date;
  /** Sign-in attempts allowed per minute and client address (default 10). */
  signInPerMinute?: number;
  /** Sign-in attempts allowed per minute and link token (default 5). */
  signInPerToken?: number;
  /** How often the progress stream reports, in ms (default 500). */
  progressIntervalMs?: number;
  /** The award rules files, read fresh for the match page (default: the rules directory at each request). */
  awards?: () => readonly AwardRules[];
}

/** Helpers handed to each route module. */
export interface RouteKit {
  app: FastifyInstance;
  deps: ConsoleDeps;
  now: () => Date;
  /** Renders a page inside the layout for the signed-in staff member. */
  page(req: FastifyRequest, reply: FastifyReply, title: string, body: Safe, opts?: { refreshSeconds?: number }): Promise<FastifyReply>;
  /** A fresh CSRF token for a form. */
  csrfOf(reply: FastifyReply): string;
  /** Records a staff action in the audit log. */
  record(req: FastifyRequest, action: string, detail: string): Promise<void>;
  /** Route options that check the CSRF token. */
  protect: { preHandler: FastifyInstance['csrfProtection'] };
  /** Whether the request came without a live session (only draft posts get this far); the route keeps the draft. */
  signedOut(req: FastifyRequest): boolean;
  /** Keeps a form posted after the session expired and answers with the sign-in page that promises to return to it. */
  keepSignedOutDraft(req: FastifyRequest, reply: FastifyReply, kind: 'broadcast' | 'publicity', form: Record<string, unknown>): Promise<FastifyReply>;
  /** Channels that can deliver now. */
  connected(): ReadonlySet<string>;
  /** Whether the server is shutting down (open progress streams end). */
  closing(): boolean;
}
