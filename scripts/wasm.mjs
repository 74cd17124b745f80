// Post-build step, first of three (scripts/post_build.mjs): builds the app's WebAssembly split
// into a door and on-demand worlds, and puts its loader into index.html.
//
// Trunk cannot split a wasm (trunk-rs/trunk#1022), so it builds only the
// HTML, CSS and copied files, and this hook does the Rust part, offline:
// 1. `cargo rustc` the `qianbao-web` binary with the `split` feature (the
//    worlds' `on_demand!` split points) for wasm32, keeping relocations
//    (`--emit-relocs`) so the linked wasm can be taken apart;
// 2. `wasm-split-cli` (crate wasm_split_cli_support): the main module, one
//    `split_<world>.wasm` per world, `chunk_*.wasm` for code several worlds
//    share, and `__wasm_split.js`, which loads them;
// 3. `wasm-bindgen --target web --keep-lld-exports` on the main module
//    (the worlds import its exports);
// 4. `wasm-opt -Oz` on every module (after the split: relocations gone);
// 5. all of it into `pkg-<hash>/` — a new directory per build, so that a
//    page never mixes one build's main module with another's worlds — and a
//    module script that starts it (csp.mjs then allows that script by hash;
//    sw.mjs lists the files for offline use).
// The tools are the ones scripts/setup.sh installed, at pinned versions.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = process.env.TRUNK_STAGING_DIR;
if (!dist) throw new Error('TRUNK_STAGING_DIR is not set: run this as a Trunk hook');
const index = join(dist, 'index.html');
const PLACEHOLDER = /<meta name="qianbao-loader">/;
// Another page built with this Trunk.toml (bench/floor) has its own Rust.
if (PLACEHOLDER.test(readFileSync(index, 'utf8'))) build();

function build() {
const release = process.env.TRUNK_PROFILE !== 'debug';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'target', 'split');
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

run('cargo', [
  'rustc', '--locked', '--offline', '--target', 'wasm32-unknown-unknown',
  '-p', 'qianbao-web', '--bin', 'qianbao-web', '--features', 'split',
  '--target-dir', target, ...(release ? ['--release'] : []),
  '--', '-C', 'link-arg=--emit-relocs',
]);
const linked = join(target, 'wasm32-unknown-unknown', release ? 'release' : 'debug', 'qianbao-web.wasm');

const parts = join(target, 'parts');
rmSync(parts, { recursive: true, force: true });
run('wasm-split-cli', [linked, parts, '--target', 'web', '--out-name', 'qianbao-web']);

const staging = join(target, 'pkg');
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
run('wasm-bindgen', [
  '--target', 'web', '--keep-lld-exports', '--no-demangle', '--no-typescript',
  '--out-name', 'qianbao-web', '--out-dir', staging, join(parts, 'qianbao-web.wasm'),
]);
const worlds = readdirSync(parts).filter((f) => /^(split|chunk)_.*\.wasm$/.test(f));
for (const file of [...worlds, '__wasm_split.js']) copyFileSync(join(parts, file), join(staging, file));
const modules = readdirSync(staging).filter((f) => f.endsWith('.wasm'));
if (release) {
  for (const file of modules) {
    const path = join(staging, file);
    run('wasm-opt', ['-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', path, '-o', path]);
  }
}

// One directory per build, named by what is in it.
const hash = createHash('sha256');
for (const file of readdirSync(staging).sort()) hash.update(file).update(readFileSync(join(staging, file)));
const pkg = `pkg-${hash.digest('hex').slice(0, 16)}`;
mkdirSync(join(dist, pkg), { recursive: true });
for (const file of readdirSync(staging)) copyFileSync(join(staging, file), join(dist, pkg, file));

// Start it: relative URLs, so the page works under any --public-url.
// When a wallet is stored, the module that reads it (split_codec.wasm) and
// the chunks it shares with the worlds are needed before the first screen:
// their fetches start at once, beside the door's (the loader names them).
const splitJs = readFileSync(join(staging, '__wasm_split.js'), 'utf8');
const codecDeps = splitJs.match(/__wasm_split_load_codec = [\s\S]*?, \[([^\]]*)\]\)\);/);
const codecFiles = codecDeps
  ? ['split_codec.wasm', ...codecDeps[1].split(',').map((d) => d.trim()).filter(Boolean)
      .map((d) => `${d.replace(/^__/, '')}.wasm`)]
  : [];
const preloadCodec = codecFiles.length ? `
try {
  if (localStorage.getItem('qianbao.state') !== null) {
    for (const file of ${JSON.stringify(codecFiles)}) {
      const link = document.createElement('link');
      Object.assign(link, { rel: 'preload', as: 'fetch', crossOrigin: 'anonymous', href: '${pkg}/' + file });
      document.head.append(link);
    }
  }
} catch {}` : '';
const loader = `<link rel="modulepreload" href="${pkg}/qianbao-web.js">
  <link rel="preload" href="${pkg}/qianbao-web_bg.wasm" as="fetch" type="application/wasm" crossorigin>
  <script type="module">${preloadCodec}
import init from './${pkg}/qianbao-web.js';
await init({ module_or_path: new URL('${pkg}/qianbao-web_bg.wasm', document.baseURI) });
</script>`;
writeFileSync(index, readFileSync(index, 'utf8').replace(PLACEHOLDER, loader));
console.log(`wasm: ${pkg}: the door and ${worlds.length} modules on demand`);
}
