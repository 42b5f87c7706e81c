/** One-time sign-in links for the staff console, shared by the CLI (`staff-link`), the `/console` command and the server. */
import { staffByChannel, type AppConfig } from '../config.ts';
import { createSignInToken, type ConsoleStore } from './console-db.ts';

/** The console's address as staff should open it. */
export function consoleBaseUrl(config: AppConfig): string {
  return config.WEB_PUBLIC_URL ?? `http://${config.WEB_HOST.includes(':') ? `[${config.WEB_HOST}]` : config.WEB_HOST}:${config.WEB_PORT ?? 8080}`;
}

/** Every configured staff member as a "channel:id" address. */
export function staffAddresses(config: AppConfig, extraConsole: string[] = []): string[] {
  return Object.entries(staffByChannel(config, extraConsole)).flatMap(([channel, ids]) => ids.map((id) => `${channel}:${id}`));
}

/** Resolves "telegram:111" or a bare "111" to a configured staff address, or undefined when it is not staff. */
export function resolveStaff(config: AppConfig, id: string, extraConsole: string[] = []): string | undefined {
  return resolveStaffIn(staffAddresses(config, extraConsole), id);
}

/** Resolves "telegram:111" or a bare "111" within a list of staff addresses. */
export function resolveStaffIn(all: string[], id: string): string | undefined {
  const wanted = id.trim();
  if (!wanted) return undefined;
  return all.find((a) => a === wanted) ?? all.find((a) => a.slice(a.indexOf(':') + 1) === wanted);
}

/** Creates a sign-in link for a staff address, valid ten minutes and for one use. */
export async function signInLink(db: ConsoleStore, config: AppConfig, staff: string, now: Date): Promise<string> {
  const token = await createSignInToken(db, staff, now);
  return `${consoleBaseUrl(config)}/signin?token=${token}`;
}
