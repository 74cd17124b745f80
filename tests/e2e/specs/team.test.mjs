// A team on one sandbox server (issue 21): five people, each in a browser
// context of their own (no shared storage), register, bind and pay their
// own order from a merchant backend written with the community SDK
// wechatpayv3, while that backend's 16 concurrent clients create and
// query orders. Each sees only their own wallet; every order is paid once
// by the right payer; every notification arrives, none twice; another
// person's payment shows on an open page without a reload; signing out in
// one browser leaves the others signed in; a page that posts a stored
// state is refused and nothing changes. Then the server is killed with
// SIGKILL under the load and started again on the same file: every order
// whose creation was answered, and every payment, is still there.
import { test, before, after } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer, connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../lib/browser.mjs';
import { Wallet } from '../lib/wallet.mjs';
import { luhn } from '../lib/cards.mjs';
import { expect } from '../lib/expect.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SANDBOX = process.env.QIANBAO_SANDBOX ?? join(ROOT, 'target', 'debug', 'qianbao-sandbox');
const PYTHON = join(ROOT, 'tests', 'sdk', '.venv', 'bin', 'python');
const MERCHANT = join(ROOT, 'tests', 'sdk', 'merchant.py');
const PASSWORD = 'Sandbox2026x';
const PEOPLE = [
  { name: '张一鸣', phone: '13900001001', wxid: 'team_zhang', nickname: '一鸣', price: 1100 },
  { name: '李二妹', phone: '13900001002', wxid: 'team_li', nickname: '二妹', price: 1200 },
  { name: '王三石', phone: '13900001003', wxid: 'team_wang', nickname: '三石', price: 1300 },
  { name: '赵四海', phone: '13900001004', wxid: 'team_zhao', nickname: '四海', price: 1400 },
  { name: '陈五月', phone: '13900001005', wxid: 'team_chen', nickname: '五月', price: 1500 },
];

const freePort = () => new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

/** Resolves once something accepts connections on `port` (a state, not a delay). */
async function accepting(port, child) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    const up = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The JSON lines a child prints, as a queue to wait on. */
function lines(child) {
  const seen = [];
  const waiting = [];
  const failAll = (why) => { for (const w of waiting.splice(0)) w.reject(new Error(why)); };
  child.on('error', (error) => failAll(String(error)));
  child.on('exit', (code) => failAll(`exited with ${code}`));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const value = JSON.parse(line);
    seen.push(value);
    for (const w of [...waiting]) if (w.match(value)) { waiting.splice(waiting.indexOf(w), 1); w.resolve(value); }
  });
  return {
    seen,
    next: (match) => new Promise((resolve, reject) => {
      const found = seen.find(match);
      if (found) resolve(found);
      else if (child.exitCode !== null) reject(new Error(`exited with ${child.exitCode}`));
      else waiting.push({ match, resolve, reject });
    }),
  };
}

const s = { children: [] };

before(async () => {
  s.dir = mkdtempSync(join(tmpdir(), 'qianbao-team-'));
  s.browser = await launch();
});

after(async () => {
  await s.browser?.close();
  for (const child of s.children) child.kill('SIGKILL');
  if (s.dir) rmSync(s.dir, { recursive: true, force: true });
});

/** The server on `s.port` and `s.db`, with the site built into it. */
async function serve() {
  const server = spawn(SANDBOX, ['serve', '--addr', `127.0.0.1:${s.port}`, '--db', s.db], { stdio: ['ignore', 'ignore', 'inherit'] });
  s.children.push(server);
  await accepting(s.port, server);
  return server;
}

/** One call of the merchant's backend (the SDK): `{code, body}`. */
function backend(name, kwargs) {
  const out = execFileSync(PYTHON, [MERCHANT, s.credentials, s.url, 'call', name, JSON.stringify(kwargs)], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** A person in a browser context of their own. */
async function person(who) {
  const context = await s.browser.newContext({ locale: 'zh-CN' });
  const wallet = new Wallet(await context.newPage(), s.url);
  wallet.who = who;
  wallet.close = async () => {
    // (The watcher's own refused posts are logged by the browser.)
    const refused = /status of (404 \(Not Found\)|405 \(Method Not Allowed\))/;
    const errors = wallet.pageErrors.filter((e) => !refused.test(e));
    expect(errors.join('\n'), `${who.name}'s page errors`).toBe('');
    await context.close();
  };
  return wallet;
}

/** Registers `who` through the form (the code read off this browser's own phone) and signs in. */
async function registerAndSignIn(w) {
  await w.open('/register');
  await w.register({ login: w.who.phone, name: w.who.name, password: PASSWORD });
  await w.expectText('注册成功，请登录。');
  await w.logIn(w.who.phone, PASSWORD);
  await w.page.getByTestId('balance').waitFor();
}

/** A card in `who`'s name, ¥100 from it, a WeChat account of theirs, and the wallet bound to it. */
async function fundAndBind(w, index) {
  await w.addCard(luhn(`62220200${String(index).padStart(8, '0')}`), w.who.name);
  await w.expectText('银行卡已添加。');
  await w.fillMovement('/top-up', { 金额: '100' });
  await w.confirmMovement();
  await w.open('/wechat/register');
  await w.page.locator('#wxr-wxid').fill(w.who.wxid);
  await w.page.locator('#wxr-phone').fill(w.who.phone);
  await w.page.locator('#wxr-nickname').fill(w.who.nickname);
  await w.page.locator('#wxr-name').fill(w.who.name);
  await w.page.locator('#wxr-password').fill(PASSWORD);
  await w.page.locator('#wxr-pay').fill('135790');
  await w.button('注册').click();
  await w.page.waitForURL(/\/wechat\/?$/);
  await w.startBinding();
  await w.wechatLogIn({ wxid: w.who.wxid, password: PASSWORD });
  await w.allow();
  await w.expectText('绑定成功');
}

test('a team shares one sandbox: five people, a 16-client backend, a kill -9, nothing lost', async () => {
  s.port = await freePort();
  s.url = `http://127.0.0.1:${s.port}`;
  s.db = join(s.dir, 'team.db');
  const notifyPort = await freePort();
  const added = execFileSync(SANDBOX, ['merchant', 'add', '--name', '团队咖啡馆',
    '--notify-url', `http://127.0.0.1:${notifyPort}/notify`, '--redirect-domain', `127.0.0.1:${notifyPort}`,
    '--db', s.db, '--public-url', s.url], { encoding: 'utf8' });
  s.credentials = join(s.dir, 'merchant.json');
  writeFileSync(s.credentials, added);
  const merchant = JSON.parse(added);
  let server = await serve();
  // The merchant's notify_url acknowledges every notification (0 refused).
  const listener = spawn(PYTHON, [MERCHANT, s.credentials, s.url, 'listen', String(notifyPort), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  s.children.push(listener);
  const notes = lines(listener);
  await notes.next((v) => v.event === 'listening');
  // The backend's 16 clients, creating and querying from now on.
  const load = spawn(PYTHON, [MERCHANT, s.credentials, s.url, 'load', '16', 'TEAM'], { stdio: ['pipe', 'pipe', 'inherit'] });
  s.children.push(load);
  const loaded = lines(load);
  await loaded.next((v) => v.event === 'loading');

  // Five people at once: register (each code on their own phone), fund, bind.
  const people = await Promise.all(PEOPLE.map((who) => person(who)));
  await Promise.all(people.map((w) => registerAndSignIn(w)));
  await Promise.all(people.map((w, i) => fundAndBind(w, i + 1)));
  for (const w of people) {
    await w.open('/');
    await w.expectText(`你好，${w.who.name}`);
    expect(await w.balance(), `${w.who.name}'s own ¥100`).toBe('¥100.00');
  }

  // One person watches 「商户与应用」 while the others pay: it follows by itself.
  const watcher = people[0];
  await watcher.open('/dev');
  await watcher.page.locator(`[data-mchid="${merchant.mchid}"]`).waitFor();

  // Each pays their own order, placed by the backend (SDK), at once.
  const orders = PEOPLE.map((who, i) => `TEAMPAY${i}`);
  const placed = orders.map((no, i) => backend('pay', {
    description: `${PEOPLE[i].nickname}的订单`, out_trade_no: no, amount: { total: PEOPLE[i].price },
    notify_url: `http://127.0.0.1:${notifyPort}/notify`,
  }));
  for (const p of placed) expect(p.code, JSON.stringify(p)).toBe(200);
  const payers = people.slice(1);
  await Promise.all(payers.map(async (w, k) => {
    const i = k + 1;
    await w.page.goto(placed[i].body.code_url);
    await w.page.getByTestId('pay-amount').waitFor();
    await w.field('支付密码').fill('135790');
    await w.button('确认支付').click();
    await w.expectText('支付成功');
  }));
  // The watcher's page shows the four payments without a reload.
  for (const no of orders.slice(1)) {
    await watcher.page.locator(`[data-mchid="${merchant.mchid}"] [data-order=${no}][data-state=SUCCESS]`).waitFor();
  }
  // Then the watcher pays too.
  await watcher.page.goto(placed[0].body.code_url);
  await watcher.page.getByTestId('pay-amount').waitFor();
  await watcher.field('支付密码').fill('135790');
  await watcher.button('确认支付').click();
  await watcher.expectText('支付成功');

  // Every order paid once, by its own payer; each notification once.
  const openids = new Set();
  for (const [i, no] of orders.entries()) {
    const note = await notes.next((v) => v.event === 'notification' && v.notification?.resource?.out_trade_no === no);
    expect(note.verified, `${no}'s notification verified by the SDK`).toBe(true);
    const q = backend('query', { out_trade_no: no });
    expect([q.code, q.body.trade_state, q.body.amount.total], no).toEqual([200, 'SUCCESS', PEOPLE[i].price]);
    expect(q.body.payer.openid, `${no}'s payer`).toBe(note.notification.resource.payer.openid);
    openids.add(q.body.payer.openid);
  }
  expect(openids.size, 'five payers, five openids').toBe(5);
  for (const w of people) {
    await w.open('/');
    expect(await w.balance(), `${w.who.name} paid their own order only`).toBe(`¥${(100 - w.who.price / 100).toFixed(2)}`);
  }

  // Signing out in one browser leaves the other four signed in.
  await people[2].logOut();
  for (const w of people.filter((_, i) => i !== 2)) {
    await w.reload();
    await w.page.getByTestId('balance').waitFor();
    await w.expectText(`你好，${w.who.name}`);
  }
  // A page that posts a stored state (the old sandbox's way) is refused,
  // and nothing of it is taken: the five wallets and every order stay.
  const census = () => watcher.page.evaluate(async () => {
    const state = await (await fetch('/sandbox/v1/state')).json();
    return { accounts: JSON.parse(state.main).accounts.length, orders: state.orders_len };
  });
  const before = await census();
  const refused = await watcher.page.evaluate(async () => Promise.all(['/sandbox/v1/store', '/sandbox/v1/replace', '/'].map(async (path) =>
    (await fetch(path, { method: 'POST', body: '{"qianbao.state":"{}"}' })).status)));
  for (const status of refused) expect([404, 405].includes(status), `a stored state posted: ${status}`).toBe(true);
  const afterRefusal = await census();
  expect(afterRefusal.accounts, 'the five wallets').toBe(5);
  expect(before.accounts, 'the five wallets, before').toBe(5);
  expect(afterRefusal.orders >= before.orders, 'no order gone').toBe(true);

  // SIGKILL under the load, and a start again on the same file.
  const createdBefore = loaded.seen.filter((v) => v.event === 'created').length;
  await loaded.next((v) => v.event === 'created' && loaded.seen.filter((x) => x.event === 'created').length > createdBefore + 20);
  server.kill('SIGKILL');
  await new Promise((resolve) => server.once('exit', resolve));
  server = await serve();
  // The clients, retrying, go on: let them create some more, then stop.
  const afterRestart = loaded.seen.filter((v) => v.event === 'created').length;
  await loaded.next((v) => v.event === 'created' && loaded.seen.filter((x) => x.event === 'created').length > afterRestart + 20);
  load.stdin.write('stop\n');
  const done = await loaded.next((v) => v.event === 'done');
  expect(done.wrong, `every create and query answered as it should: ${JSON.stringify(loaded.seen.filter((v) => v.event === 'refused' || v.event === 'query').slice(0, 5))}`).toBe(0);
  const created = loaded.seen.filter((v) => v.event === 'created').map((v) => v.no);
  expect(created.length > 40, `orders created under load: ${created.length}`).toBe(true);
  // Every acknowledged order is there after the kill, exactly once; every payment stays.
  const sample = created.filter((_, i) => i % Math.max(1, Math.floor(created.length / 60)) === 0);
  for (const no of sample) {
    const q = backend('query', { out_trade_no: no });
    expect([q.code, q.body.trade_state], no).toEqual([200, 'NOTPAY']);
  }
  // (The file's rows, read with Python's sqlite3: what the server keeps.)
  const rows = JSON.parse(execFileSync(PYTHON, ['-c',
    'import json, sqlite3, sys; print(json.dumps([json.loads(b)["out_trade_no"] for (b,) in sqlite3.connect(sys.argv[1]).execute("SELECT body FROM orders")]))',
    s.db], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
  const stored = new Set(rows);
  const missing = created.filter((no) => !stored.has(no));
  expect(missing, 'acknowledged orders lost').toEqual([]);
  expect(stored.size, 'no order twice').toBe(rows.length);
  // A page reads a window of them, the same few however many there are.
  const state = await watcher.page.evaluate(async () => (await (await fetch('/sandbox/v1/state')).json()));
  expect(state.orders_len >= created.length + orders.length, `${state.orders_len} orders counted`).toBe(true);
  expect(state.orders.length <= 2 * 20 + 5, `a page reads ${state.orders.length} of ${state.orders_len} orders`).toBe(true);
  for (const no of orders) expect(backend('query', { out_trade_no: no }).body.trade_state, `${no} after the kill`).toBe('SUCCESS');
  // The pages follow the restarted server (a payment from before shows).
  await watcher.open('/dev');
  await watcher.page.locator(`[data-mchid="${merchant.mchid}"] [data-order=TEAMPAY1][data-state=SUCCESS]`).waitFor();
  await watcher.screenshot('94-team-merchants');
  // Still signed in after the restart: sessions are the server's.
  await watcher.open('/');
  await watcher.expectText(`你好，${watcher.who.name}`);
  await watcher.screenshot('95-team-wallet');
  expect(notes.seen.filter((v) => v.event === 'notification' && orders.includes(v.notification?.resource?.out_trade_no)).length,
    'each payment notified once').toBe(5);
  for (const w of people) await w.close();
});
