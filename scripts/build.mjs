/**
 * Compiles src/ once into dist/ with esbuild (installed with tsx), so a start runs plain JavaScript instead of
 * compiling TypeScript every time. Run by `npm install` (the `prepare` script) and, when a source file is newer than
 * the build, by scripts/launch.mjs before it starts the program.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const srcDir = join(root, 'src');
const distDir = join(root, 'dist');
/** Written last: the build is complete when it exists, and its time is the build's. */
const stampFile = join(distDir, '.built');
/** The programs: `npm start` and `npm run cli`. */
const ENTRIES = ['main', 'cli'];
/**
 * Pure-JavaScript packages every start loads, bundled into dist/ rather than resolved from node_modules at each start:
 * zod's ESM build alone is 95 files, and resolving and reading them cost more than compiling the code. Every other
 * package stays external (native addons, and the channel and console libraries loaded only when used).
 */
const BUNDLED = new Set(['zod', 'opencc-js']);

/** Newest modification time (ms) of any file under a directory, this build script included. */
function newestSource(dir = srcDir) {
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

/** Whether dist/ is missing or older than a source file. */
export function isStale() {
  if (!existsSync(stampFile)) return true;
  return newestSource() > statSync(stampFile).mtimeMs;
}

/**
 * Source files find data, assets and their own code by `new URL(…, import.meta.url)`. A bundle moves the code to
 * dist/, so each file's `import.meta.url` is replaced by its source file's URL, taken relative to the bundle at run
 * time: paths then resolve as they do under tsx, and the project can still be moved after the build.
 */
const keepSourceUrls = {
  name: 'keep-source-urls',
  setup(build) {
    build.onLoad({ filter: /\/src\/.*\.ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      const rel = relative(distDir, args.path).split('\\').join('/');
      const contents = text.includes('import.meta.url') ? text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`) : text;
      return { contents, loader: 'ts' };
    });
  },
};

/** Marks every package import external (as esbuild's `packages: 'external'` does), except the packages named. */
function externalExcept(bundled) {
  return {
    name: 'external-except',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        return bundled.has(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/**
 * Builds into a temporary directory, then moves each file into dist/ by rename (atomic per file): chunks first, the
 * entry files next, the stamp last. Chunk names carry a content hash, so a program already running from dist/ still
 * finds the chunks it loads later, and a program starting meanwhile reads whole files only.
 */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const tmp = `${distDir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild({
    entryPoints: ENTRIES.map((e) => join(srcDir, `${e}.ts`)),
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [keepSourceUrls, externalExcept(BUNDLED)],
    chunkNames: '[name]-[hash]',
    logLevel: 'warning',
  });
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}\n');
  mkdirSync(distDir, { recursive: true });
  const files = readdirSync(tmp);
  const entries = new Set([...ENTRIES.map((e) => `${e}.js`), 'package.json']);
  for (const f of [...files.filter((f) => !entries.has(f)), ...files.filter((f) => entries.has(f))]) renameSync(join(tmp, f), join(distDir, f));
  rmSync(tmp, { recursive: true, force: true });
  const stamp = `${stampFile}.${process.pid}.tmp`;
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  renameSync(stamp, stampFile);
}

/** Builds when stale; a second process building at the same time is harmless (both write the same files). */
export async function ensureBuilt() {
  if (!isStale()) return;
  await build();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await build();
}
