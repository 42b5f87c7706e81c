/** Starts the staff console beside the running channels when WEB_PORT is set. */
import type { Runtime } from '../runtime.ts';
import { staffAddresses } from './links.ts';
import type { WebReportChannel } from './report-channel.ts';
import { startConsoleServer, type RunningConsole } from './server.ts';

/** Serves the console on WEB_HOST:WEB_PORT over the runtime's store, bot and delivery service. */
export async function startWebConsole(rt: Runtime, reports: WebReportChannel, consoleAdmins: string[] = []): Promise<RunningConsole> {
  const port = rt.config.WEB_PORT;
  if (!port) throw new Error('WEB_PORT is not set');
  const staff = staffAddresses(rt.config, consoleAdmins);
  const web = await startConsoleServer(
    { store: rt.store, bot: rt.bot, poke: () => rt.delivery.poke(), config: rt.config, dataDir: rt.dataDir, staff: () => staff, reports, logger: rt.logger },
    port,
    rt.config.WEB_HOST,
  );
  rt.logger.info({ url: web.url, staff: staff.length }, 'staff console listening');
  return web;
}
