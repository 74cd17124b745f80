// Offline-first, with the browser's own network switch: after one visit the
// whole site works offline (the service worker keeps every file); offline,
// every request between the worlds fails as the article's 三.1 network
// problem, with its code, guidance and 「重试」 — which completes once the
// browser is back online; a new deployment is offered quietly, never forced;
// the site is installable; the worker's list is exactly the build.
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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

test('offline at the cashier: no password is checked or counted, nothing moves; online 「重试」 pays once', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo({ money: 100, bound: true });
  await controlled(w);

  const orderNo = await w.checkout('books', ['novel']);
  const cashier = new URL(w.page.url());
  const context = w.page.context();
  await context.setOffline(true);
  // A wrong 支付密码, six times: WeChat is never reached, so none counts
  // (five would lock the payment password).
  const wrong = demo.wechat.payPassword === '147258' ? '258147' : '147258';
  await w.field('支付密码').fill(wrong);
  for (let i = 0; i < 6; i++) {
    await w.button('确认支付').click();
    await w.expectError('WX-NETWORK');
    await w.settled();
  }
  expect(await w.balance(), 'nothing moved').toBe('¥100.00');
  await w.open('/shop/books/orders');
  const order = w.page.locator(`[data-order="${orderNo}"]`);
  expect(await order.getAttribute('data-state'), 'the order is as it was').toBe('USERPAYING');
  // 「转入微信零钱」 fails the same way.
  await w.fillMovement('/to-wechat', { 金额: '10' });
  await w.button('确认').click();
  await w.expectError('WX-NETWORK');
  await w.settled();
  expect(await w.page.getByTestId('balance-after').count(), 'not done').toBe(0);
  // Online, the error box's 「重试」 sends the same transfer: once.
  await context.setOffline(false);
  await w.button('重试').click();
  await w.page.getByTestId('balance-after').waitFor();
  expect(await w.page.getByTestId('balance-after').innerText(), 'moved once').toBe('¥90.00');
  expect(await w.balance(), 'moved once').toBe('¥90.00');
  // And the cashier: the right password, 「重试」, paid once.
  await w.open(cashier.pathname + cashier.search);
  await context.setOffline(true);
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectError('WX-NETWORK');
  await context.setOffline(false);
  await w.button('重试').click();
  await w.expectText('支付成功');
  expect(await w.balance(), 'paid once').toBe('¥44.20');
  await w.close();
});

test("offline, a merchant's requests to WeChat Pay and its notification fail and change nothing; online 「重试」 sends each once", async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo({ money: 100, bound: true });
  await controlled(w);
  const paid = await w.checkout('books', ['novel']);
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectText('支付成功');
  const context = w.page.context();
  const orders = async () => {
    await w.open('/shop/books/orders');
    await w.page.locator(`[data-order="${paid}"]`).waitFor();
    return w.page.locator('[data-order]').count();
  };
  const placed = await orders();

  // 「去结算」: the order is never placed.
  await w.open('/shop/books');
  await w.page.locator('[data-sku=novel]').getByRole('button', { name: '加入购物车' }).click();
  await context.setOffline(true);
  await w.button('去结算').click();
  await w.expectError('WX-NETWORK');
  await context.setOffline(false);
  await w.button('重试').click();
  await w.page.getByTestId('order-no').waitFor();
  expect(await orders(), 'placed once, when it got through').toBe(placed + 1);

  // A refund: nothing goes back until it gets through, then once.
  await context.setOffline(true);
  const refund = w.page.locator(`[data-order="${paid}"]`);
  await refund.getByRole('button', { name: '退款' }).click();
  await w.expectError('WX-NETWORK');
  expect(await refund.getAttribute('data-state'), 'not refunded').toBe('SUCCESS');
  await context.setOffline(false);
  await refund.getByRole('button', { name: '重试' }).click();
  await w.page.locator(`[data-order="${paid}"][data-state=REFUND]`).waitFor();
  expect(await w.balance(), 'refunded once').toBe('¥100.00');

  // The console's 「重发通知」: the merchant hears nothing while offline.
  await w.open('/dev');
  await context.setOffline(true);
  await w.page.getByRole('button', { name: '重发通知' }).first().click();
  await w.expectError('WX-NETWORK');
  await w.settled();
  await context.setOffline(false);
  await w.open('/shop/books/orders');
  await w.expectText('收到支付通知 1 次');
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
  // A host that answers with something else (its fallback page, a cut or
  // foreign file) with 200: refused as the network error, never linked.
  await w.page.unroute(world, fail);
  for (const body of ['<!doctype html><title>fallback</title>', 'QBPK\u0001\u0000\u0000\u0000garbage']) {
    const wrong = (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body });
    await w.page.route(world, wrong);
    await w.button('重试').click();
    await w.expectError('W-SITE-NETWORK');
    await w.settled();
    expect(await w.page.evaluate(() => document.activeElement?.id), 'focus stays in the page').toBe('main');
    await w.page.unroute(world, wrong);
  }
  // Back online, 「重试」 fetches it again and the world opens.
  await w.button('重试').click();
  await w.page.getByRole('heading', { name: '微信（模拟）' }).waitFor();
  // The failed fetches were logged by the browser; nothing panicked.
  const crashes = w.pageErrors.filter((e) => /panicked|unreachable|RuntimeError/.test(e));
  expect(crashes.join('\n'), 'no panic').toBe('');
  w.pageErrors.length = 0;
  await w.close();
});

test("the site's own files failing: the page says so, and 「重试」 loads it once they come; a slow part says it is loading", async () => {
  const w = await h.wallet({ serviceWorkers: 'block' });
  const door = /qianbao-web_bg\.wasm$/;
  const fail = (route) => route.abort('internetdisconnected');
  await w.page.route(door, fail);
  await w.page.goto(w.baseUrl + '/');
  await w.page.locator('#boot.failed[role=alert]').waitFor();
  await w.expectText('页面未能加载：网络连接失败');
  await w.page.unroute(door, fail);
  await w.button('重试 Retry').click();
  await w.page.getByRole('heading', { name: '欢迎使用数字钱包' }).waitFor();
  expect(await w.page.locator('#boot').count(), 'the notice is gone').toBe(0);
  // A world whose code is still on its way: 「正在加载…」, then the world.
  let held;
  const arrived = new Promise((resolve) => { held = resolve; });
  const hold = (route) => { held(route); };
  await w.page.route(/split_help_world\.pack$/, hold);
  await w.link('帮助').click();
  await w.page.locator('main [role=status][aria-busy=true]').getByText('正在加载…').waitFor();
  await (await arrived).continue();
  await w.page.getByRole('heading', { name: '帮助中心' }).waitFor();
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
  expect(await w.page.locator('.error-help').count(), 'no link to a help centre that cannot come').toBe(0);
  await w.screenshot('56-codec-unfetched');
  await w.page.unroute(codec, fail);
  await w.button('重试').click();
  await w.page.getByRole('heading', { name: '欢迎使用数字钱包' }).waitFor();
  const crashes = w.pageErrors.filter((e) => /panicked|unreachable|RuntimeError/.test(e));
  expect(crashes.join('\n'), 'no panic').toBe('');
  w.pageErrors.length = 0;
  await w.close();
});

test('a file the host sends damaged is never kept for offline use; the next visit keeps the right one', async () => {
  const w = await h.wallet();
  // Where the page's worker ends up: 'activated', or 'redundant' when its
  // install failed.
  await w.page.addInitScript(() => {
    const container = navigator.serviceWorker;
    const register = container.register.bind(container);
    container.register = async (...args) => {
      const registration = await register(...args);
      const watch = (worker) => worker?.addEventListener('statechange', () => { globalThis.__worker = worker.state; });
      watch(registration.installing);
      registration.addEventListener('updatefound', () => watch(registration.installing));
      return registration;
    };
  });
  const world = /split_wechat_world\.pack$/;
  const fallback = (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>fallback</title>' });
  await w.page.context().route(world, fallback);
  await w.open('/');
  await w.expectText('欢迎使用数字钱包');
  // The worker refuses the install: nothing is kept, nothing controls the page.
  await w.page.waitForFunction(() => ['redundant', 'activated'].includes(globalThis.__worker));
  expect(await w.page.evaluate(() => globalThis.__worker), 'the install failed').toBe('redundant');
  expect(await w.page.evaluate(() => caches.keys()), 'no cache kept').toEqual([]);
  // The host is fixed; the next visit installs the worker, and the world
  // opens offline.
  await w.page.context().unroute(world, fallback);
  await w.reload();
  await controlled(w);
  await w.page.context().setOffline(true);
  await w.open('/wechat/');
  await w.page.getByRole('heading', { name: '微信（模拟）' }).waitFor();
  await w.page.context().setOffline(false);
  await w.close();
});

test('a host that redirects /index.html to / still gives the whole site offline', async () => {
  const w = await h.wallet();
  const redirect = (route) => route.fulfill({ status: 301, headers: { location: w.baseUrl + '/' } });
  await w.page.context().route(/\/index\.html$/, redirect);
  await w.open('/');
  await controlled(w);
  await w.page.context().setOffline(true);
  await w.open('/help');
  await w.page.getByRole('heading', { name: '帮助中心' }).waitFor();
  await w.page.context().setOffline(false);
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
    // The new deployment's parts live in another folder, and the old
    // folder is gone from the host, as with any new build.
    const index = join(dir, 'index.html');
    const html = await readFile(index, 'utf8');
    const [pkg] = html.match(/pkg-[0-9a-f]{16}/);
    const renamed = 'pkg-0000000000000000';
    await cp(join(dir, pkg), join(dir, renamed), { recursive: true });
    await rm(join(dir, pkg), { recursive: true });
    await writeFile(index, html.replaceAll(pkg, renamed).replace('<title>', '<meta name="deployment" content="2"><title>'));
    const run = promisify(execFile);
    await run('node', [join(ROOT, 'scripts', 'csp.mjs')], { env: { ...process.env, TRUNK_STAGING_DIR: dir } });
    await run('node', [join(ROOT, 'scripts', 'sw.mjs'), dir]);
    // The next visit finds the new version installed and waiting: a quiet notice.
    const next = new Wallet(await context.newPage(), server.url);
    await next.open('/');
    await next.expectText('新版本可用');
    expect(await next.page.locator('meta[name=deployment]').count(), 'the old version still serves').toBe(0);
    await next.screenshot('53-update-ready');
    // Deployed once more before anyone took the second: the third version
    // installs in the second's place, and the second (never active) goes.
    await writeFile(index, (await readFile(index, 'utf8')).replace('content="2"', 'content="3"'));
    await run('node', [join(ROOT, 'scripts', 'csp.mjs')], { env: { ...process.env, TRUNK_STAGING_DIR: dir } });
    await run('node', [join(ROOT, 'scripts', 'sw.mjs'), dir]);
    const third = new Wallet(await context.newPage(), server.url);
    await third.open('/');
    await third.expectText('新版本可用');
    // Until the third version has installed (and replaced the second).
    await third.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration.update();
      const worker = registration.installing;
      if (!worker) return;
      await new Promise((resolve, reject) => {
        const settle = () => {
          if (worker.state === 'installed') resolve();
          if (worker.state === 'redundant') reject(new Error('the third version did not install'));
        };
        worker.addEventListener('statechange', settle);
        settle();
      });
    });
    const reloaded = next.page.waitForEvent('load');
    await next.button('刷新').click();
    await reloaded;
    await next.page.locator('meta[name=deployment][content="3"]').waitFor({ state: 'attached' });
    await next.expectText('欢迎使用数字钱包');
    // The first tab still runs the old version: the worlds it has not
    // opened yet still come, from the version the new worker kept.
    await w.link('帮助').click();
    await w.page.getByRole('heading', { name: '帮助中心' }).waitFor();
    await w.link('商家').click();
    await w.page.locator('main h1').waitFor();
    expect(await w.errorCode(), 'no network error in the old tab').toBe(null);
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
  const digests = JSON.parse(worker.match(/const FILES = (\{.*?\});/)[1]);
  const listed = Object.keys(digests);
  const built = (await readdir(DIST, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(DIST, join(e.parentPath ?? e.path, e.name)).split('\\').join('/'))
    .filter((f) => f !== 'sw.js')
    .sort();
  expect(JSON.stringify(listed), 'sw.js lists the build').toBe(JSON.stringify(built));
  for (const file of built) {
    const digest = `sha384-${createHash('sha384').update(await readFile(join(DIST, file))).digest('base64')}`;
    expect(digests[file], `${file}'s digest`).toBe(digest);
  }
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
    // The entry file by its own name is the start page.
    await w.open('/index.html');
    await w.page.getByRole('heading', { name: '欢迎使用数字钱包' }).waitFor();
    // The host answers the app's routes with status 404 (the browser notes
    // it on the console); nothing else may go wrong.
    const others = w.pageErrors.filter((e) => !e.includes('status of 404'));
    expect(others.join('\n'), 'errors').toBe('');
  } finally {
    await context.close();
    await server.close();
  }
});
