/**
 * `npm start` and `npm run cli`: runs the compiled program in dist/ (`main` or `cli`), building it first when it is
 * missing or older than a source file, so a fresh clone or an edited source never runs a stale build.
 */
import { setFlagsFromString } from 'node:v8';
import { ensureBuilt } from './build.mjs';

// V8 optimises a function with TurboFan, on a background thread, once it has run for a set budget of bytecode. A batch
// of questions in a fresh process spends about a third of its CPU compiling functions that then run only a few times
// more; a budget four times V8's default (67,584) leaves those alone while the functions a long-running bot keeps
// calling are still optimised soon after it starts. The same answers; measured in README "Start-up, memory and the
// BM25 baseline".
setFlagsFromString('--interrupt-budget=270336');

const [entry, ...args] = process.argv.slice(2);
if (entry !== 'main' && entry !== 'cli') {
  process.stderr.write('usage: node scripts/launch.mjs main|cli [args…]\n');
  process.exit(2);
}
try {
  await ensureBuilt();
} catch (err) {
  process.stderr.write(`启动失败 / failed to start: could not build dist/: ${err?.message ?? err}\n`);
  process.exit(1);
}
// The program reads its own arguments from argv[2] on, as when it is run directly.
process.argv.splice(2, 1);
const program = await import(new URL(`../dist/${entry}.js`, import.meta.url).href);
if (entry === 'main') program.runMain();
