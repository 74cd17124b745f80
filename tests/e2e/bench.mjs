// Prints the size-and-speed figures of a built site against the floor:
//   node bench.mjs <site-dist> <floor-dist>
// Sizes: raw, gzip -9 and brotli q11 of the wasm, js, css and html a first
// load fetches. Time: navigation start → the app's `first-render` mark, in a
// fresh headless Chromium context each run, median of 5 (after 1 warm-up).
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { serve } from './lib/server.mjs';
import { launch } from './lib/browser.mjs';

const [siteDir, floorDir, seedBin] = process.argv.slice(2);
const RUNS = 5;

function sizes(dir) {
  const totals = {};
  for (const name of readdirSync(dir)) {
    const kind = extname(name).slice(1);
    if (!['wasm', 'js', 'css', 'html'].includes(kind)) continue;
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

// A wallet with `entries` history entries (written by bench/seed from the
// same core), loaded into a fresh context: navigation → first render, then
// one transfer committed through the UI (click 确认 → 操作成功 in the DOM).
async function history(browser, dir, entries) {
  const seed = JSON.parse(execFileSync(seedBin, [String(entries), String(Date.now())], { maxBuffer: 64 << 20 }).toString());
  const server = await serve(dir);
  const loads = [];
  const commits = [];
  let bytes = 0;
  try {
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ locale: 'zh-CN' });
      await context.addInitScript((items) => {
        if (!sessionStorage.getItem('seeded')) {
          sessionStorage.setItem('seeded', '1');
          for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
        }
      }, seed.storage);
      const page = await context.newPage();
      await page.goto(server.url + '/transfer');
      const load = await page.evaluate(() => new Promise((resolve) => {
        const poll = () => {
          const mark = performance.getEntriesByName('first-render')[0];
          if (mark) resolve(mark.startTime); else setTimeout(poll, 5);
        };
        poll();
      }));
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
      if (i > 0) loads.push(load);
      await context.close();
    }
  } finally {
    await server.close();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { load: median(loads), commit: median(commits), loads, commits, bytes };
}

const fmt = (n) => n.toLocaleString('en-US');
const ratio = (a, b) => (b ? (a / b).toFixed(2) + '×' : 'n/a');

const site = sizes(siteDir);
const floor = sizes(floorDir);
console.log('Sizes in bytes (raw / gzip / brotli)');
console.log('kind   | Qianbao                       | floor                         | brotli ratio');
for (const kind of ['wasm', 'js', 'css', 'html', 'total']) {
  const s = site[kind] ?? { raw: 0, gzip: 0, brotli: 0 };
  const f = floor[kind] ?? { raw: 0, gzip: 0, brotli: 0 };
  const cell = (t) => `${fmt(t.raw)} / ${fmt(t.gzip)} / ${fmt(t.brotli)}`.padEnd(29);
  console.log(`${kind.padEnd(6)} | ${cell(s)} | ${cell(f)} | ${ratio(s.brotli, f.brotli)}`);
}

const browser = await launch();
try {
  const s = await firstRender(browser, siteDir);
  const f = await firstRender(browser, floorDir);
  console.log('\nNavigation → first render, ms (median of 5; runs)');
  console.log(`Qianbao ${s.median.toFixed(1)}  [${s.all.map((t) => t.toFixed(1)).join(', ')}]`);
  console.log(`floor   ${f.median.toFixed(1)}  [${f.all.map((t) => t.toFixed(1)).join(', ')}]`);
  console.log(`ratio   ${ratio(s.median, f.median)}`);
  const d = await demoAccount(browser, siteDir);
  console.log(`\n「一键创建演示账户」 (3 accounts: 5 Argon2id hashes + 30 ms paint pause), ms: median ${d.median.toFixed(1)}  [${d.all.map((t) => t.toFixed(1)).join(', ')}]`);
  if (seedBin) {
    const small = await history(browser, siteDir, 100);
    const large = await history(browser, siteDir, 10_000);
    const row = (name, r) => console.log(`${name.padEnd(14)} load ${r.load.toFixed(1).padStart(7)} ms  commit ${r.commit.toFixed(2).padStart(6)} ms  ` +
      `storage ${fmt(r.bytes).padStart(10)} bytes  [commits min ${Math.min(...r.commits).toFixed(2)} max ${Math.max(...r.commits).toFixed(2)}]`);
    console.log('\nHistory size (load: median of 5 fresh contexts; commit: median of 25 transfers, click 确认 → 操作成功 rendered; storage: UTF-16 bytes of qianbao.* keys)');
    row('100 entries', small);
    row('10,000 entries', large);
    console.log(`ratio 10,000/100: load ${ratio(large.load, small.load)}, commit ${ratio(large.commit, small.commit)}, storage ${ratio(large.bytes, small.bytes)}`);
  }
  console.log(`\nTargets: first load ≤ 150 KB brotli (now ${(site.total.brotli / 1024).toFixed(1)} KiB), ` +
    `≤ 2.5× floor (now ${ratio(site.total.brotli, floor.total.brotli)}); first render ≤ 1.3× floor (now ${ratio(s.median, f.median)})`);
} finally {
  await browser.close();
}
