// Post-build step, last of three (scripts/post_build.mjs): makes the build
// installable and offline-first.
// - `404.html`: a copy of the shell, for static hosts whose only fallback
//   for an unknown path is their 404 page;
// - `sw.js`: the service worker (`web/sw.js`) with this build's file list,
//   each file's digest, and a version that changes whenever any file does.
// `node scripts/sw.mjs DIR` does the same to a built directory (tests use
// it to make "a new deployment" of a copy).
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('TRUNK_STAGING_DIR is not set: run this as a Trunk hook, or pass a directory');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

copyFileSync(join(dir, 'index.html'), join(dir, '404.html'));

/** Every file under `at`, as paths relative to `dir` with forward slashes. */
function files(at) {
  return readdirSync(at).flatMap((name) => {
    const path = join(at, name);
    return statSync(path).isDirectory() ? files(path) : [relative(dir, path).split('\\').join('/')];
  });
}

const listed = files(dir).filter((f) => f !== 'sw.js').sort();
const hash = createHash('sha256');
for (const file of listed) hash.update(file).update('\0').update(readFileSync(join(dir, file)));
const version = hash.digest('hex').slice(0, 16);

// Each file's digest, checked by the worker as it keeps it.
const digests = Object.fromEntries(listed.map((file) => [
  file, `sha384-${createHash('sha384').update(readFileSync(join(dir, file))).digest('base64')}`,
]));
const template = readFileSync(join(root, 'web', 'sw.js'), 'utf8');
const worker = template
  .replace("'__VERSION__'", JSON.stringify(version))
  .replace('__FILES__', JSON.stringify(digests));
if (worker.includes('__VERSION__') || worker.includes('__FILES__')) throw new Error('web/sw.js lacks its placeholders');
writeFileSync(join(dir, 'sw.js'), worker);
console.log(`sw.js: version ${version}, ${listed.length} files`);
