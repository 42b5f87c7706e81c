/** The process logger: pino writing JSON to stderr, so stdout stays clean for JSON output modes. */
import { pino, type Logger } from 'pino';

/** Creates a logger on stderr at the given level, redacting secrets. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: ['token', '*.token', 'puppetToken', '*.puppetToken', 'secretToken', '*.secretToken'] }, pino.destination(2));
}
