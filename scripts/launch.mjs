/**
 * `npm start` and `npm run cli`: runs the compiled program in dist/ (`main` or `cli`), building it first when it is
 * missing or older than a source file, so a fresh clone or an edited source never runs a stale build.
 */
import { ensureBuilt } from './build.mjs';

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
