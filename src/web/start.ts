/** Starts the staff console beside the running channels when WEB_PORT is set, and tells `staff-link` where it runs. */
import { hostname } from 'node:os';
import type { Runtime } from '../runtime.ts';
import { forgetConsole, rememberConsole } from './instances.ts';
import { consoleBaseUrl, staffAddresses } from './links.ts';
import type { WebReportChannel } from './report-channel.ts';
import { startConsoleServer, type RunningConsole } from './server.ts';

/** Serves the console on WEB_HOST:WEB_PORT over the runtime's store, bot and delivery service. */
export async function startWebConsole(rt: Runtime, reports: WebReportChannel, consoleAdmins: string[] = []): Promise<RunningConsole> {
  const port = rt.config.WEB_PORT;
  if (port === undefined) throw new Error('WEB_PORT is not set');
  const staff = staffAddresses(rt.config, consoleAdmins);
  const web = await startConsoleServer(
    {
      store: rt.store,
      bot: rt.bot,
      poke: () => rt.delivery.poke(),
      config: rt.config,
      dataDir: rt.dataDir,
      staff: () => staff,
      connected: () => rt.channelNames,
      reports,
      logger: rt.logger,
    },
    port,
    rt.config.WEB_HOST,
  );
  // The address staff open (the public URL, or the port actually bound) and the staff list, in the database, so
  // `staff-link` run in another shell, without this process's environment, links to this console.
  const url = rt.config.WEB_PUBLIC_URL ?? consoleBaseUrl({ ...rt.config, WEB_PORT: Number(new URL(web.url).port) || port });
  const owner = rt.store.owner;
  await rememberConsole(rt.store, { owner, url, staff, host: hostname(), pid: process.pid }, new Date()).catch((err: unknown) =>
    rt.logger.warn({ err: (err as Error)?.message }, 'could not record the console address for staff-link'),
  );
  rt.logger.info({ url, staff: staff.length }, 'staff console listening');
  return {
    url: web.url,
    async close() {
      await forgetConsole(rt.store, owner).catch(() => undefined);
      await web.close();
    },
  };
}
