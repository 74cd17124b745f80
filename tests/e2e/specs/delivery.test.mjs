// What the browser really fetches before the first screen (the page's own
// resource timing up to the app's `first-render` mark), and the modules that
// follow it: the door first, the rest on demand.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { DIST, harness } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';

const h = harness();

// What a first visit may fetch before its first screen, brotli (q11) bytes
// of the files it really received: the budget (it was 415,121 with
// one module, 252,693 with the worlds on demand, 157,694 once the forms',
// the stored wallet's screens and the error wording followed the door).
const DOOR_BUDGET = 170_000;

/** The path of every file the page received before `first-render`. */
async function fetchedBeforeFirstRender(page) {
  await page.waitForFunction(() => performance.getEntriesByName('first-render').length > 0);
  return page.evaluate(() => {
    const mark = performance.getEntriesByName('first-render')[0].startTime;
    const files = performance.getEntriesByType('resource')
      .filter((e) => e.responseEnd <= mark)
      .map((e) => new URL(e.name).pathname);
    return [location.pathname, ...new Set(files)];
  });
}

function brotli(path) {
  const file = path === '/' ? 'index.html' : path.slice(1);
  const bytes = readFileSync(join(DIST, file));
  return brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}

/** Waits until the page has fetched a file whose path matches `pattern`. */
async function fetches(page, pattern) {
  await page.waitForFunction(
    (source) => performance.getEntriesByType('resource').some((e) => new RegExp(source).test(e.name)),
    pattern.source,
  );
}

test('a first visit fetches only the door before its first screen; the code of its forms and of storage follows', async () => {
  const w = await h.wallet({ serviceWorkers: 'block' });
  await w.open('/');
  const fetched = await fetchedBeforeFirstRender(w.page);
  const modules = fetched.filter((p) => /split_|chunk_/.test(p));
  expect(modules.join(', '), 'no on-demand module before the first screen').toBe('');
  expect(fetched.some((p) => /qianbao-web_bg\.wasm$/.test(p)), 'the door module').toBe(true);
  const total = fetched.reduce((sum, p) => sum + brotli(p), 0);
  console.log(`first visit, fetched before first render: ${total} B brotli in ${fetched.length} files`);
  expect(total <= DOOR_BUDGET, `door ${total} B brotli ≤ ${DOOR_BUDGET}`).toBe(true);
  // Right after it: the stored form's code and the forms' (password
  // hashing, key derivation, two-step codes, the demo).
  await fetches(w.page, /split_codec\.pack$/);
  await fetches(w.page, /split_credentials\.pack$/);
  await w.close();
});

test("a stored wallet's first screen waits for the code that reads it, not for the forms'", async () => {
  const w = await h.wallet({ serviceWorkers: 'block' });
  await w.createDemo();
  await w.reload();
  const fetched = await fetchedBeforeFirstRender(w.page);
  expect(fetched.some((p) => /split_codec\.pack$/.test(p)), 'the stored form\'s module').toBe(true);
  const others = fetched.filter((p) => /split_/.test(p) && !/split_codec\.pack$/.test(p));
  expect(others.join(', '), 'no other module before the first screen').toBe('');
  await w.close();
});

test("the forms' code cannot be fetched: the network error on the form, nothing stored, and the next press works", async () => {
  const w = await h.wallet({ serviceWorkers: 'block' });
  const credentials = /split_credentials\.pack$/;
  const fail = (route) => route.abort('internetdisconnected');
  await w.page.route(credentials, fail);
  await w.open('/');
  await w.button('一键创建演示账户').click();
  await w.expectError('W-SITE-NETWORK');
  await w.expectText('这部分页面未能下载');
  expect(await w.storage(), 'nothing stored').notToContain('qianbao.state');
  // The login form says the same, and keeps nothing typed but the login.
  await w.open('/login');
  await w.field('手机号或邮箱').fill('13800138000');
  await w.field('密码').fill('Passw0rd!x');
  await w.button('登录').click();
  await w.expectError('W-SITE-NETWORK');
  // Back online, the next press fetches it and works.
  await w.page.unroute(credentials, fail);
  const demo = await w.createDemo();
  expect(demo.login, 'the demo account').toContain('1700000');
  await w.open('/login');
  await w.field('手机号或邮箱').fill(demo.login);
  await w.field('密码').fill(demo.password);
  await w.button('登录').click();
  await w.page.getByTestId('balance').waitFor();
  const crashes = w.pageErrors.filter((e) => /panicked|unreachable|RuntimeError/.test(e));
  expect(crashes.join('\n'), 'no panic').toBe('');
  w.pageErrors.length = 0;
  await w.close();
});

test('a deep link or a reload into each world, on a cold cache, fetches that world\'s pack and shows it', async () => {
  const worlds = [
    ['/wechat/', 'wechat_world'],
    ['/shop/', 'shop_world'],
    ['/dev', 'dev_world'],
    ['/help', 'help_world'],
    ['/phone/', 'phone_world'],
    ['/choose', 'wallet_world'],
    ['/history', 'wallet_world'],
  ];
  for (const [path, module] of worlds) {
    const w = await h.wallet({ serviceWorkers: 'block' });
    await w.open(path);
    await w.page.locator('main h1, main .card').first().waitFor();
    const fetched = await w.page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    const packs = fetched.filter((p) => /\.pack$/.test(p)).map((p) => p.split('/').pop());
    expect(packs.join(', '), `${path}: its pack`).toContain(`split_${module}.pack`);
    expect(fetched.filter((p) => /split_|chunk_/.test(p) && !/\.pack$/.test(p)).join(', '), `${path}: nothing but packs`).toBe('');
    await w.reload();
    await w.page.locator('main h1, main .card').first().waitFor();
    expect(new URL(w.page.url()).pathname, `${path}: still there after a reload`).toBe(path);
    await w.close();
  }
});
