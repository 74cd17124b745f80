// Prints the size-and-speed figures of a built site against the floor:
//   node bench.mjs <site-dist> <floor-dist> [<seed binary>]
// - Sizes of the build, and what a first visit to / really fetches before
//   the app's `first-render` mark (the page's resource timing), by file:
//   raw, gzip -9 and brotli q11.
// - Navigation start → `first-render`, fresh headless Chromium context each
//   run, median of 5 (after 1 warm-up): empty storage, and a signed-in
//   wallet with 1,000 sealed history entries (decryption included).
// - Click into each world (a nav link) → its heading painted.
// - 100 vs 10,000 sealed entries: first render, unlock (password → the
//   balance shown), one transfer committed, bytes in localStorage.
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { serve } from './lib/server.mjs';
import { launch } from './lib/browser.mjs';

const [siteDir, floorDir, seedBin] = process.argv.slice(2);
const RUNS = 5;

/** The whole build by kind: every file, the split build's modules (packs) included. */
function sizes(dir) {
  const totals = {};
  for (const name of readdirSync(dir, { recursive: true })) {
    const kind = extname(name).slice(1);
    // `pack`: an on-demand module with the chunks it shares (scripts/wasm.mjs);
    // a chunk several modules share is in each of their packs.
    if (!['wasm', 'pack', 'js', 'css', 'html'].includes(kind)) continue;
    const bytes = readFileSync(join(dir, name));
    const t = (totals[kind] ??= { raw: 0, gzip: 0, brotli: 0 });
    t.raw += bytes.length;
    t.gzip += gzipSync(bytes, { level: 9 }).length;
    t.brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  totals.total = Object.values(totals).reduce(
    (a, t) => ({ raw: a.raw + t.raw, gzip: a.gzip + t.gzip, brotli: a.brotli + t.brotli }),
    { raw: 0, gzip: 0, brotli: 0 });
  return totals;
}

async function firstRender(browser, dir) {
  const server = await serve(dir);
  const times = [];
  try {
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url + '/');
      const ms = await page.evaluate(() => new Promise((resolve) => {
        const poll = () => {
          const mark = performance.getEntriesByName('first-render')[0];
          if (mark) resolve(mark.startTime); else setTimeout(poll, 5);
        };
        poll();
      }));
      if (i > 0) times.push(ms);
      await context.close();
    }
  } finally {
    await server.close();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], all: times };
}

// Click 「一键创建演示账户」 → credentials shown: five Argon2id hashes (m=19 MiB,
// t=2: a wallet password, two WeChat passwords, two payment passwords) in
// the browser plus a 30 ms pause that lets "please wait" paint.
async function demoAccount(browser, dir) {
  const server = await serve(dir);
  const times = [];
  try {
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ locale: 'zh-CN' });
      const page = await context.newPage();
      await page.goto(server.url + '/');
      const button = page.getByRole('button', { name: '一键创建演示账户', exact: true });
      await button.waitFor();
      const start = await page.evaluate(() => performance.now());
      await button.click();
      await page.locator('[data-wallet] [data-field=password]').waitFor();
      const end = await page.evaluate(() => performance.now());
      if (i > 0) times.push(end - start);
      await context.close();
    }
  } finally {
    await server.close();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], all: times };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Resolves with the `first-render` mark's time, polling until it exists. */
const firstRenderMark = (page) => page.evaluate(() => new Promise((resolve) => {
  const poll = () => {
    const mark = performance.getEntriesByName('first-render')[0];
    if (mark) resolve(mark.startTime); else setTimeout(poll, 5);
  };
  poll();
}));

/** What a first visit to / fetches before `first-render`, by file, with the sizes of each file in `dir`. */
async function fetchedBeforeFirstRender(browser, dir) {
  const server = await serve(dir);
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url + '/');
    const mark = await firstRenderMark(page);
    const fetched = await page.evaluate((before) => [
      location.pathname,
      ...performance.getEntriesByType('resource').filter((e) => e.responseEnd <= before).map((e) => new URL(e.name).pathname),
    ], mark);
    await context.close();
    const rows = [...new Set(fetched)].map((path) => {
      const file = path === '/' ? 'index.html' : path.slice(1);
      let bytes;
      try { bytes = readFileSync(join(dir, file)); } catch { bytes = Buffer.alloc(0); }
      return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
    });
    return rows;
  } finally {
    await server.close();
  }
}

/** The seed's storage for a wallet with `entries` sealed history entries. */
function seeded(entries) {
  return JSON.parse(execFileSync(seedBin, [String(entries), String(Date.now())], { maxBuffer: 128 << 20 }).toString());
}

/** A fresh context whose storage holds `seed` (and, if `unlocked`, whose tab holds the key). */
async function contextWith(browser, seed, unlocked) {
  const context = await browser.newContext({ locale: 'zh-CN' });
  await context.addInitScript(({ items, key, unlocked }) => {
    if (!sessionStorage.getItem('seeded')) {
      sessionStorage.setItem('seeded', '1');
      for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
      if (unlocked) sessionStorage.setItem('qianbao.key', key);
    }
  }, { items: seed.storage, key: seed.session_key, unlocked });
  return context;
}

/** Navigation → first render with `seed` stored and the tab unlocked (decryption included). */
async function signedInFirstRender(browser, dir, seed, path = '/') {
  const server = await serve(dir);
  const times = [];
  try {
    for (let i = 0; i <= RUNS; i++) {
      const context = await contextWith(browser, seed, true);
      const page = await context.newPage();
      await page.goto(server.url + path);
      const ms = await firstRenderMark(page);
      await page.getByTestId('balance').waitFor();
      if (i > 0) times.push(ms);
      await context.close();
    }
  } finally {
    await server.close();
  }
  return { median: median(times), all: times };
}

// Click a world's link (the top bar's, or 「选择钱包」 on the start page: the
// wallet's screens beyond the door) → its page's heading in the DOM and
// painted (the next animation frame), signed out, in a fresh context.
async function worlds(browser, dir) {
  const server = await serve(dir);
  const rows = [];
  try {
    for (const [name, path] of [['微信', '/wechat/'], ['商家', '/shop/'], ['开发者', '/dev'], ['帮助', '/help'], ['手机', '/phone/'], ['选择钱包', '/choose']]) {
      const times = [];
      for (let i = 0; i <= RUNS; i++) {
        const context = await browser.newContext({ locale: 'zh-CN' });
        const page = await context.newPage();
        await page.goto(server.url + '/');
        await page.getByRole('button', { name: '登录' }).or(page.getByRole('link', { name: '登录', exact: true })).first().waitFor();
        const ms = await page.evaluate((target) => new Promise((resolve) => {
          const link = [...document.querySelectorAll('header nav a, main a')].find((a) => new URL(a.href).pathname.endsWith(target));
          const start = performance.now();
          const done = () => requestAnimationFrame(() => resolve(performance.now() - start));
          const observer = new MutationObserver(() => {
            if (location.pathname.endsWith(target) && document.querySelector('main h1')) {
              observer.disconnect();
              done();
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
          link.click();
        }), path);
        if (i > 0) times.push(ms);
        await context.close();
      }
      rows.push({ name, path, median: median(times), all: times });
    }
  } finally {
    await server.close();
  }
  return rows;
}

// A wallet with `entries` sealed history entries (written by bench/seed from
// the same core): first render signed in; unlock from a tab without the key
// (password → balance shown); one transfer committed through the UI (click
// 确认 → 操作成功 in the DOM); bytes kept.
async function history(browser, dir, entries) {
  const seed = seeded(entries);
  const server = await serve(dir);
  const loads = [];
  const unlocks = [];
  const commits = [];
  let bytes = 0;
  try {
    for (let i = 0; i <= RUNS; i++) {
      // Unlock: no key in this tab; the password opens the data.
      const locked = await contextWith(browser, seed, false);
      const lockedPage = await locked.newPage();
      await lockedPage.goto(server.url + '/');
      await lockedPage.locator('#unlock-password').fill(seed.credentials.password);
      const unlock = await lockedPage.evaluate(() => new Promise((resolve) => {
        const start = performance.now();
        const observer = new MutationObserver(() => {
          if (document.querySelector('[data-testid=balance]')) {
            observer.disconnect();
            resolve(performance.now() - start);
          }
        });
        observer.observe(document.body, { childList: true, subtree: true });
        document.querySelector('form button[type=submit]').click();
      }));
      await locked.close();

      const context = await contextWith(browser, seed, true);
      const page = await context.newPage();
      await page.goto(server.url + '/transfer');
      const load = await firstRenderMark(page);
      await page.getByLabel('收款人手机号或邮箱', { exact: true }).fill(seed.credentials.payee);
      // Six transfers per context; the first warms the code paths up.
      for (let c = 0; c < 6; c++) {
        if (c > 0) await page.getByRole('button', { name: '再来一笔', exact: true }).click();
        await page.getByLabel('金额', { exact: true }).fill('1');
        await page.getByRole('button', { name: '下一步', exact: true }).click();
        const confirm = page.getByRole('button', { name: '确认', exact: true });
        await confirm.waitFor();
        const commit = await confirm.evaluate((button) => new Promise((resolve) => {
          const observer = new MutationObserver(() => {
            if (document.querySelector('.done')) {
              observer.disconnect();
              resolve(performance.now() - start);
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
          const start = performance.now();
          button.click();
        }));
        if (i > 0 && c > 0) commits.push(commit);
      }
      bytes = await page.evaluate(() => Object.entries(localStorage)
        .filter(([k]) => k.startsWith('qianbao.'))
        .reduce((sum, [k, v]) => sum + 2 * (k.length + v.length), 0));
      if (i > 0) {
        loads.push(load);
        unlocks.push(unlock);
      }
      await context.close();
    }
  } finally {
    await server.close();
  }
  return { load: median(loads), unlock: median(unlocks), commit: median(commits), loads, unlocks, commits, bytes };
}

const fmt = (n) => n.toLocaleString('en-US');
const ratio = (a, b) => (b ? (a / b).toFixed(2) + '×' : 'n/a');

const site = sizes(siteDir);
const floor = sizes(floorDir);
console.log('The whole build, every module, in bytes (raw / gzip / brotli)');
console.log('kind   | Qianbao                       | floor                         | brotli ratio');
for (const kind of ['wasm', 'pack', 'js', 'css', 'html', 'total']) {
  const s = site[kind] ?? { raw: 0, gzip: 0, brotli: 0 };
  const f = floor[kind] ?? { raw: 0, gzip: 0, brotli: 0 };
  const cell = (t) => `${fmt(t.raw)} / ${fmt(t.gzip)} / ${fmt(t.brotli)}`.padEnd(29);
  console.log(`${kind.padEnd(6)} | ${cell(s)} | ${cell(f)} | ${ratio(s.brotli, f.brotli)}`);
}

const browser = await launch();
try {
  const first = await fetchedBeforeFirstRender(browser, siteDir);
  const floorFirst = await fetchedBeforeFirstRender(browser, floorDir);
  const sum = (rows) => rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip, brotli: a.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  console.log('\nFetched by a first visit to / before first render (raw / gzip / brotli)');
  for (const r of first) console.log(`  ${r.file.padEnd(44)} ${fmt(r.raw).padStart(10)} / ${fmt(r.gzip).padStart(9)} / ${fmt(r.brotli).padStart(9)}`);
  const total = sum(first);
  const floorTotal = sum(floorFirst);
  console.log(`  ${'total'.padEnd(44)} ${fmt(total.raw).padStart(10)} / ${fmt(total.gzip).padStart(9)} / ${fmt(total.brotli).padStart(9)}`);
  console.log(`  ${'floor total'.padEnd(44)} ${fmt(floorTotal.raw).padStart(10)} / ${fmt(floorTotal.gzip).padStart(9)} / ${fmt(floorTotal.brotli).padStart(9)}   (${ratio(total.brotli, floorTotal.brotli)})`);

  const s = await firstRender(browser, siteDir);
  const f = await firstRender(browser, floorDir);
  console.log('\nNavigation → first render, ms (median of 5; runs)');
  console.log(`Qianbao, nothing stored      ${s.median.toFixed(1)}  [${s.all.map((t) => t.toFixed(1)).join(', ')}]`);
  console.log(`floor                        ${f.median.toFixed(1)}  [${f.all.map((t) => t.toFixed(1)).join(', ')}]`);
  let signed;
  if (seedBin) {
    signed = await signedInFirstRender(browser, siteDir, seeded(1000));
    console.log(`Qianbao, signed in, 1,000    ${signed.median.toFixed(1)}  [${signed.all.map((t) => t.toFixed(1)).join(', ')}]  (sealed entries decrypted at load)`);
  }
  console.log(`ratio to the floor: ${ratio(s.median, f.median)} empty${signed ? `, ${ratio(signed.median, f.median)} signed in with 1,000 entries` : ''}`);

  console.log('\nClick into a world (top bar link) → its heading painted, ms (median of 5)');
  for (const w of await worlds(browser, siteDir)) {
    console.log(`  ${w.name} ${w.path.padEnd(9)} ${w.median.toFixed(1).padStart(7)}  [${w.all.map((t) => t.toFixed(1)).join(', ')}]`);
  }

  const d = await demoAccount(browser, siteDir);
  console.log(`\n「一键创建演示账户」 (3 accounts: 5 Argon2id hashes + 30 ms paint pause), ms: median ${d.median.toFixed(1)}  [${d.all.map((t) => t.toFixed(1)).join(', ')}]`);
  if (seedBin) {
    const small = await history(browser, siteDir, 100);
    const large = await history(browser, siteDir, 10_000);
    const row = (name, r) => console.log(`${name.padEnd(14)} load ${r.load.toFixed(1).padStart(7)} ms  unlock ${r.unlock.toFixed(1).padStart(7)} ms  commit ${r.commit.toFixed(2).padStart(6)} ms  ` +
      `storage ${fmt(r.bytes).padStart(10)} bytes  [commits min ${Math.min(...r.commits).toFixed(2)} max ${Math.max(...r.commits).toFixed(2)}]`);
    console.log('\nHistory size, sealed (load: median of 5 fresh contexts, signed in; unlock: password → balance shown; commit: median of 25 transfers, click 确认 → 操作成功 rendered; storage: UTF-16 bytes of qianbao.* keys)');
    row('100 entries', small);
    row('10,000 entries', large);
    console.log(`ratio 10,000/100: load ${ratio(large.load, small.load)}, unlock ${ratio(large.unlock, small.unlock)}, commit ${ratio(large.commit, small.commit)}, storage ${ratio(large.bytes, small.bytes)}`);
  }
  console.log(`\nTargets: first load ≤ 170 KB brotli (now ${(total.brotli / 1024).toFixed(1)} KiB fetched before first render); ` +
    `first render ≤ 1.3× floor (now ${ratio(signed?.median ?? s.median, f.median)}); opening a world ≤ 150 ms; commit at 10,000 ≤ 1.2× at 100`);
} finally {
  await browser.close();
}
