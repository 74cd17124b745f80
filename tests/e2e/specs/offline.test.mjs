// Offline-first, with the browser's own network switch: after one visit the
// whole site works offline (the service worker keeps every file); offline,
// every request between the worlds fails as the article's 三.1 network
// problem, with its code, guidance and 「重试」 — which completes once the
// browser is back online; a new deployment is offered quietly, never forced;
// the site is installable; the worker's list is exactly the build.
import { test } from 'node:test';
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DIST, SUBPATH_DIST, harness } from '../lib/harness.mjs';
import { serve } from '../lib/server.mjs';
import { expect } from '../lib/expect.mjs';
import { Wallet } from '../lib/wallet.mjs';

const h = harness();
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Waits until a service worker controls the page (the first visit's is claimed). */
async function controlled(w) {
  await w.page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated');
}

test('after one visit the wallet opens offline, from a reload and from a deep link', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo();
  await controlled(w);
  const context = w.page.context();
  await context.setOffline(true);
  await w.reload();
  await w.page.getByTestId('balance').waitFor();
  await w.page.getByTestId('offline').waitFor();
  await w.expectText('浏览器当前离线');
  await w.open('/history');
  await w.page.locator('main h1').waitFor();
  await w.open('/help/bind-errors');
  await w.expectText('网络连接问题');
  await w.screenshot('50-offline');
  await context.setOffline(false);
  await w.page.getByTestId('offline').waitFor({ state: 'detached' });
  await w.close();
});

test('offline 「绑定微信」: WeChat cannot be reached, with the guidance; back online, 「重试」 and it binds', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo();
  await controlled(w);
  const context = w.page.context();
  await context.setOffline(true);
  await w.startBinding();
  await w.expectError('W-BIND-NETWORK');
  await w.expectText('建议使用 Wi-Fi');
  await w.screenshot('51-offline-authorize');
  await w.button('重试').click();
  await w.expectError('W-BIND-NETWORK');
  await context.setOffline(false);
  await w.button('重试').click();
  await w.wechatLogIn(demo.wechat);
  await w.allow();
  await w.expectText('绑定成功');
  await w.close();
});

test("offline, the code exchange fails exactly like the console's network failure; 「重试」 online completes it", async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo();
  await controlled(w);
  // The console's network failure on the exchange first…
  await w.injectFaults({ network: 1 });
  await w.startBinding();
  await w.wechatLogIn(demo.wechat);
  await w.allow();
  await w.expectError('W-BIND-NETWORK');
  const injected = await w.page.locator('.error-box').innerText();
  // …then the browser's own switch: the same failure, nothing bound.
  const context = w.page.context();
  await context.setOffline(true);
  await w.button('重试').click();
  await w.page.getByTestId('offline').waitFor();
  await w.expectError('W-BIND-NETWORK');
  expect(await w.page.locator('.error-box').innerText(), 'the same message and guidance').toBe(injected);
  expect(await w.page.locator('[data-binding=bound]').count(), 'nothing bound offline').toBe(0);
  await w.screenshot('52-offline-callback');
  await context.setOffline(false);
  await w.button('重试').click();
  await w.expectText('绑定成功');
  await w.close();
});

test('offline at the cashier: the payment is refused and nothing moves; online it goes through', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo({ money: 100, bound: true });
  await controlled(w);

  await w.checkout('books', ['novel']);
  const context = w.page.context();
  await context.setOffline(true);
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectError('WX-NETWORK');
  expect(await w.balance(), 'nothing moved').toBe('¥100.00');
  // 「转入微信零钱」 fails the same way.
  await w.fillMovement('/to-wechat', { 金额: '10' });
  await w.button('确认').click();
  await w.expectError('WX-NETWORK');
  expect(await w.balance(), 'still nothing moved').toBe('¥100.00');
  await context.setOffline(false);
  await w.fillMovement('/to-wechat', { 金额: '10' });
  expect(await w.confirmMovement(), 'online it moves').toBe('¥90.00');
  await w.close();
});

test("a world whose code cannot be fetched the first time: the network error and 「重试」, never a crash", async () => {
  // A first visit (no service worker yet), the network failing for the
  // WeChat world's module only.
  const w = await h.wallet({ serviceWorkers: 'block' });
  await w.open('/');
  const world = /split_wechat_world\.pack$/;
  const fail = (route) => route.abort('internetdisconnected');
  await w.page.route(world, fail);
  await w.link('微信').click();
  await w.expectError('W-SITE-NETWORK');
  await w.expectText('这部分页面未能下载');
  await w.screenshot('55-world-unfetched');
  // The rest of the site goes on working meanwhile.
  await w.link('数字钱包').first().click();
  await w.page.getByRole('heading', { name: '欢迎使用数字钱包' }).waitFor();
  await w.link('微信').click();
  await w.expectError('W-SITE-NETWORK');
  // Back online, 「重试」 fetches it again and the world opens.
  await w.page.unroute(world, fail);
  await w.button('重试').click();
  await w.page.getByRole('heading', { name: '微信（模拟）' }).waitFor();
  // The failed fetches were logged by the browser; nothing panicked.
  const crashes = w.pageErrors.filter((e) => /panicked|unreachable|RuntimeError/.test(e));
  expect(crashes.join('\n'), 'no panic').toBe('');
  w.pageErrors.length = 0;
  await w.close();
});

test('the code that reads and writes a wallet follows the first screen; a failed fetch is the network error with 「重试」', async () => {
  const w = await h.wallet({ serviceWorkers: 'block' });
  const codec = /split_codec\.pack$/;
  const fail = (route) => route.abort('internetdisconnected');
  await w.page.route(codec, fail);
  // A first visit shows its first screen without it.
  await w.open('/');
  await w.page.getByRole('heading', { name: '欢迎使用数字钱包' }).waitFor();
  // Storing a wallet needs it: the network error, and nothing stored.
  await w.button('一键创建演示账户').click();
  await w.expectError('W-SITE-NETWORK');
  expect(await w.storage(), 'nothing stored').notToContain('qianbao.state');
  // Back online, it is fetched and the wallet created.
  await w.page.unroute(codec, fail);
  await w.createDemo();
  // A stored wallet cannot be shown without it: the error and 「重试」.
  await w.page.route(codec, fail);
  await w.reload();
  await w.expectError('W-SITE-NETWORK');
  await w.screenshot('56-codec-unfetched');
  await w.page.unroute(codec, fail);
  await w.button('重试').click();
  await w.page.getByRole('heading', { name: '欢迎使用数字钱包' }).waitFor();
  const crashes = w.pageErrors.filter((e) => /panicked|unreachable|RuntimeError/.test(e));
  expect(crashes.join('\n'), 'no panic').toBe('');
  w.pageErrors.length = 0;
  await w.close();
});

test('a new deployment is offered on the next visit and taken only when asked', async () => {
  // A copy of the build, served on its own, then "deployed again" changed.
  const dir = await mkdtemp(join(tmpdir(), 'qianbao-deploy-'));
  await cp(DIST, dir, { recursive: true });
  const server = await serve(dir);
  const context = await h.browser.newContext({ locale: 'zh-CN' });
  const w = new Wallet(await context.newPage(), server.url);
  try {
    await w.open('/');
    await w.expectText('欢迎使用数字钱包');
    await controlled(w);
    const index = join(dir, 'index.html');
    await writeFile(index, (await readFile(index, 'utf8')).replace('<title>', '<meta name="deployment" content="2"><title>'));
    await promisify(execFile)('node', [join(ROOT, 'scripts', 'sw.mjs'), dir]);
    // The next visit finds the new version installed and waiting: a quiet notice.
    const next = new Wallet(await context.newPage(), server.url);
    await next.open('/');
    await next.expectText('新版本可用');
    expect(await next.page.locator('meta[name=deployment]').count(), 'the old version still serves').toBe(0);
    await next.screenshot('53-update-ready');
    const reloaded = next.page.waitForEvent('load');
    await next.button('刷新').click();
    await reloaded;
    await next.page.locator('meta[name=deployment]').waitFor({ state: 'attached' });
    expect(next.pageErrors.join('\n'), 'errors').toBe('');
    expect(w.pageErrors.join('\n'), 'errors').toBe('');
  } finally {
    await context.close();
    await server.close();
  }
});

test('installable: a manifest honouring the base path, icons, and a worker listing exactly the build', async () => {
  const w = await h.wallet();
  await w.open('/');
  const href = await w.page.locator('link[rel=manifest]').getAttribute('href');
  const manifest = JSON.parse(await readFile(join(DIST, href), 'utf8'));
  expect(manifest.name, 'name').toBe('数字钱包 Qianbao');
  expect(manifest.start_url, 'start_url is relative (sub-paths)').toBe('./');
  expect(manifest.scope, 'scope is relative').toBe('./');
  expect(manifest.theme_color, 'theme colour').toBe('#07793a');
  for (const icon of manifest.icons) {
    const response = await w.page.request.get(new URL(icon.src, w.page.url()).href);
    expect(response.status(), `${icon.src}`).toBe(200);
  }
  // The worker's list: every file of the build but itself, nothing else.
  const worker = await readFile(join(DIST, 'sw.js'), 'utf8');
  const listed = JSON.parse(worker.match(/const FILES = (\[.*?\]);/)[1]);
  const built = (await readdir(DIST, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(DIST, join(e.parentPath ?? e.path, e.name)).split('\\').join('/'))
    .filter((f) => f !== 'sw.js')
    .sort();
  expect(JSON.stringify(listed), 'sw.js lists the build').toBe(JSON.stringify(built));
  expect(worker, 'a version').toContain('const VERSION = "');
  await w.close();
});

test('a host whose only fallback is its 404 page serves the app at any depth (sub-path build)', async () => {
  const server = await serve(SUBPATH_DIST, { prefix: '/qianbao', fallback: '404' });
  const context = await h.browser.newContext({ locale: 'zh-CN' });
  const w = new Wallet(await context.newPage(), server.url);
  try {
    await w.open('/phone/');
    await w.expectText('模拟手机的短信和邮件收件箱');
    await w.open('/wechat/connect/oauth2/authorize?appid=wx0qianbao&state=x#wechat_redirect');
    await w.page.locator('main h1').waitFor();
    await w.open('/no/such/page');
    await w.expectText('页面不存在');
    // The host answers the app's routes with status 404 (the browser notes
    // it on the console); nothing else may go wrong.
    const others = w.pageErrors.filter((e) => !e.includes('status of 404'));
    expect(others.join('\n'), 'errors').toBe('');
  } finally {
    await context.close();
    await server.close();
  }
});
