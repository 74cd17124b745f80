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
// 4. `wasm-opt -Oz` on every module (after the split: relocations gone;
//    QB_NAMES=1 keeps function names, for a profile that names them);
// 5. one `split_<world>.pack` per world: its module and every chunk it
//    needs in one file, one fetch (`pack`, `fromPacks`);
// 6. all of it into `pkg-<hash>/` — a new directory per build, so that a
//    page never mixes one build's main module with another's worlds — and a
//    module script that starts it, with the split loader preloaded beside
//    it (csp.mjs then allows the inline scripts by hash;
//    sw.mjs lists the files for offline use).
// The tools are the ones scripts/setup.sh installed, at pinned versions.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
for (const file of worlds) copyFileSync(join(parts, file), join(staging, file));
const splitJs = readFileSync(join(parts, '__wasm_split.js'), 'utf8');
writeFileSync(join(staging, '__wasm_split.js'), fromPacks(splitJs));
const modules = readdirSync(staging).filter((f) => f.endsWith('.wasm'));
if (release) {
  for (const file of modules) {
    const path = join(staging, file);
    run('wasm-opt', ['-Oz', ...(process.env.QB_NAMES ? ['-g'] : []), '--enable-bulk-memory', '--enable-nontrapping-float-to-int', path, '-o', path]);
  }
}

// One pack per on-demand module: the module and every chunk it needs, one
// fetch (a module needs up to 50 chunks; fetched one by one, they queue
// behind the browser's six connections to a host).
const packs = modulesOf(splitJs);
for (const [name, files] of packs) {
  writeFileSync(join(staging, `split_${name}.pack`), pack(files.map((f) => [f, readFileSync(join(staging, f))])));
}
for (const file of worlds) rmSync(join(staging, file));
const integrity = Object.fromEntries([...packs.keys()].map((name) => [
  `split_${name}.pack`, sri(readFileSync(join(staging, `split_${name}.pack`))),
]));
const loaderPath = join(staging, '__wasm_split.js');
writeFileSync(loaderPath, readFileSync(loaderPath, 'utf8').replace('__PACK_INTEGRITY__', JSON.stringify(integrity)));

// One directory per build, named by what is in it.
const hash = createHash('sha256');
for (const file of readdirSync(staging).sort()) hash.update(file).update(readFileSync(join(staging, file)));
const pkg = `pkg-${hash.digest('hex').slice(0, 16)}`;
mkdirSync(join(dist, pkg), { recursive: true });
for (const file of readdirSync(staging)) copyFileSync(join(staging, file), join(dist, pkg, file));

// Start it: relative URLs, so the page works under any --public-url.
// The loader's module imports the split loader: both are preloaded, so the
// browser fetches them side by side instead of one after the other.
// When a wallet is stored, the module that reads it is needed before the
// first screen: a classic script, run as the parser reaches it (before the
// style sheet, which would hold it back), starts its pack's fetch at once.
const preloadCodec = packs.has('codec') ? `<script>
try {
  if (localStorage.getItem('qianbao.state') !== null) {
    globalThis.__qianbaoPacks = { 'split_codec.pack': fetch(new URL('${pkg}/split_codec.pack', document.baseURI), { integrity: '${integrity['split_codec.pack']}' }) };
    globalThis.__qianbaoPacks['split_codec.pack'].catch(() => {});
  }
} catch {}
</script>
  ` : '';
const splitLoader = existsSync(join(dist, pkg, '__wasm_split.js')) ? `
  <link rel="modulepreload" href="${pkg}/__wasm_split.js">` : '';
const loader = `${preloadCodec}<link rel="modulepreload" href="${pkg}/qianbao-web.js">${splitLoader}
  <link rel="preload" href="${pkg}/qianbao-web_bg.wasm" as="fetch" type="application/wasm" crossorigin>
  <script type="module">
try {
  const { default: init } = await import('./${pkg}/qianbao-web.js');
  await init({ module_or_path: new URL('${pkg}/qianbao-web_bg.wasm', document.baseURI) });
} catch (error) {
  // The site's own files could not be loaded: say so, in place of the
  // loading notice, with the article's 三.1 advice and a way to try again.
  const boot = document.getElementById('boot');
  if (boot) {
    boot.className = 'boot failed';
    boot.setAttribute('role', 'alert');
    boot.textContent = '页面未能加载：网络连接失败。请检查手机网络（可切换 Wi-Fi 与移动数据）后重试。 The site could not be loaded: the network failed. Check your connection, then try again. ';
    const again = document.createElement('button');
    again.type = 'button';
    again.className = 'button primary';
    again.textContent = '重试 Retry';
    again.addEventListener('click', () => location.reload());
    boot.append(again);
  }
  throw error;
}
</script>`;
writeFileSync(index, readFileSync(index, 'utf8').replace(PLACEHOLDER, loader));
console.log(`wasm: ${pkg}: the door and ${worlds.length} modules on demand`);
}

/** Each on-demand module of `__wasm_split.js`, with the files it needs: itself and its chunks. */
function modulesOf(js) {
  const modules = new Map();
  const exported = /export const __wasm_split_load_(\w+) = [\s\S]*?, \[([^\]]*)\]\)\);/g;
  for (const [, name, deps] of js.matchAll(exported)) {
    const chunks = deps.split(',').map((d) => d.trim()).filter(Boolean).map((d) => `${d.replace(/^__/, '')}.wasm`);
    modules.set(name, [`split_${name}.wasm`, ...chunks]);
  }
  if (modules.size === 0) throw new Error('__wasm_split.js: no module found; has wasm-split-cli changed?');
  return modules;
}

/** Files in one: "QBPK", a count, then per file its name's length (u16), name, length (u32), bytes; little-endian. */
function pack(entries) {
  const parts = [Buffer.from('QBPK'), u32(entries.length)];
  for (const [name, bytes] of entries) {
    const encoded = Buffer.from(name, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16LE(encoded.length);
    parts.push(length, encoded, u32(bytes.length), bytes);
  }
  return Buffer.concat(parts);
}

/** A Subresource Integrity value for `bytes`. */
function sri(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

// wasm-split-cli's loader fetches and compiles each module file when it is
// first needed. This makes a module's loader fetch its pack first (once; a
// failed fetch is tried afresh next time), compile every file in it that is
// not loaded yet, and each file's loader take its compiled module from there.
function fromPacks(js) {
  const load = /const src = fetch\(new URL\("\.\/([\w.]+\.wasm)", import\.meta\.url\)\);\n(\s*)src\.catch\(\(\) => \{\}\);\n(\s*)return async \(imports\) => \(WebAssembly\.instantiateStreaming\(src, imports\)\);/g;
  let files = 0;
  let out = js.replace(load, (_, file, i1, i2) => {
    files += 1;
    return `const compiled = takeCompiled("${file}");
${i1}compiled.catch(() => {});
${i2}return async (imports) => {
${i2}    const instance = await WebAssembly.instantiate(await compiled, imports);
${i2}    loaded.add("${file}");
${i2}    return { instance };
${i2}};`;
  });
  const expected = (js.match(/instantiateStreaming\(src, imports\)/g) ?? []).length;
  let modules = 0;
  out = out.replace(/export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(/g, (_, name) => {
    modules += 1;
    return `export const __wasm_split_load_${name} = wrapAsyncCb(withPack("split_${name}.pack", makeLoad(`;
  });
  // Each exported loader's `makeLoad(…, [deps]))` gains the `)` of `withPack(`.
  out = out.replace(/(export const __wasm_split_load_\w+ = wrapAsyncCb\(withPack\([\s\S]*?, \[[^\]]*\]\))\);/g, '$1));');
  if (files === 0 || files !== expected || modules === 0) {
    throw new Error(`__wasm_split.js: ${files} of ${expected} loaders, ${modules} modules recognised; has wasm-split-cli changed?`);
  }
  return `${out}
// Packs (scripts/wasm.mjs): a module's files in one fetch.
const loaded = new Set();
const compiledAhead = new Map();
const packs = new Map();
function takeCompiled(file) {
    const compiled = compiledAhead.get(file);
    compiledAhead.delete(file);
    return compiled ?? Promise.reject(new Error(\`\${file} is in no pack fetched\`));
}
// Each pack's digest: the browser refuses a pack damaged on the way, a
// host's fallback page in its place, or a pack of another build, as a
// failed fetch (which the next try fetches afresh).
const integrity = __PACK_INTEGRITY__;
function unpack(file) {
    let bytes = packs.get(file);
    if (bytes === undefined) {
        const early = globalThis.__qianbaoPacks?.[file];
        if (early) delete globalThis.__qianbaoPacks[file];
        bytes = (early ?? fetch(new URL("./" + file, import.meta.url), { integrity: integrity[file] ?? "" })).then((response) => {
            if (!response.ok) throw new Error(\`\${file}: HTTP \${response.status}\`);
            return response.arrayBuffer();
        });
        packs.set(file, bytes);
    }
    // Whatever fails here is tried afresh, from the fetch, next time.
    const forget = () => { if (packs.get(file) === bytes) packs.delete(file); };
    bytes.catch(forget);
    return bytes.then((buffer) => {
      try {
        const view = new DataView(buffer);
        const text = new TextDecoder();
        if (text.decode(new Uint8Array(buffer, 0, 4)) !== "QBPK") throw new Error(\`\${file}: not a pack\`);
        let at = 8;
        for (let i = view.getUint32(4, true); i > 0; i--) {
            const nameLength = view.getUint16(at, true);
            const name = text.decode(new Uint8Array(buffer, at + 2, nameLength));
            const length = view.getUint32(at + 2 + nameLength, true);
            const start = at + 6 + nameLength;
            if (!loaded.has(name) && !compiledAhead.has(name)) {
                const compiled = WebAssembly.compile(new Uint8Array(buffer, start, length));
                compiled.catch(forget);
                compiledAhead.set(name, compiled);
            }
            at = start + length;
        }
      } catch (error) {
        forget();
        throw error;
      }
    });
}
function withPack(file, load) {
    return async () => {
        await unpack(file);
        return load();
    };
}
`;
}
