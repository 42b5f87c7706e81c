/** Synchronous stdout for the terminal channels and JSON modes. */
import { writeSync } from 'node:fs';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes one line to stdout synchronously, waiting while a pipe is full: nothing sits in a user-space buffer, so a
 * message counted as sent is really out of the process even if it is killed right after (process.stdout would buffer).
 */
export function writeLine(line: string): void {
  const buf = Buffer.from(`${line}\n`);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(sleeper, 0, 0, 2);
    }
  }
}
