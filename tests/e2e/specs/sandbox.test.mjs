// The sandbox server (issue 14): a merchant's own backend — the community
// SDK wechatpayv3, driven through tests/sdk/merchant.py, none of its
// signing ours — places a native order with the real `qianbao-sandbox`
// binary; a person pays it in this browser at the same cashier as the demo
// stores', the state kept on the server (sandbox mode); the backend gets
// the notification, checked and decrypted by the SDK itself, refused once
// and delivered again on WeChat's schedule when the console's clock moves
// on; then it queries the order and refunds part of it, and the wallet
// shows both. Two browsers confirming at once on one server lose nothing.
import { test, before, after } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer, connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST } from '../lib/harness.mjs';
import { launch } from '../lib/browser.mjs';
import { Wallet } from '../lib/wallet.mjs';
import { expect } from '../lib/expect.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SANDBOX = process.env.QIANBAO_SANDBOX ?? join(ROOT, 'target', 'debug', 'qianbao-sandbox');
const PYTHON = join(ROOT, 'tests', 'sdk', '.venv', 'bin', 'python');
const MERCHANT = join(ROOT, 'tests', 'sdk', 'merchant.py');

const freePort = () => new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

/** Resolves once something accepts connections on `port` (a state, not a delay). */
async function accepting(port, process) {
  for (;;) {
    if (process.exitCode !== null) throw new Error(`exited with ${process.exitCode}`);
    const up = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The lines a child process prints, one JSON value each, as a queue to wait on. */
function lines(child) {
  const seen = [];
  const waiting = [];
  // A child that cannot start, or ends, fails whoever waits on it.
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
  s.dir = mkdtempSync(join(tmpdir(), 'qianbao-sandbox-e2e-'));
  s.browser = await launch();
});

after(async () => {
  await s.browser?.close();
  for (const child of s.children) child.kill();
  if (s.dir) rmSync(s.dir, { recursive: true, force: true });
});

/**
 * A sandbox server of its own (one state: its wallet, its session) with a
 * merchant registered, and that merchant's notify_url listening (it
 * refuses the first notification with 500, then acknowledges).
 */
async function sandbox(name) {
  const port = await freePort();
  s.url = `http://127.0.0.1:${port}`;
  s.notifyPort = await freePort();
  const db = join(s.dir, `${name}.db`);
  s.credentials = join(s.dir, `${name}.json`);
  const added = execFileSync(SANDBOX, ['merchant', 'add', '--name', '沙盒咖啡馆',
    '--notify-url', `http://127.0.0.1:${s.notifyPort}/notify`, '--redirect-domain', `127.0.0.1:${s.notifyPort}`,
    '--db', db, '--public-url', s.url], { encoding: 'utf8' });
  writeFileSync(s.credentials, added);
  s.merchant = JSON.parse(added);
  const server = spawn(SANDBOX, ['serve', '--addr', `127.0.0.1:${port}`, '--db', db, '--dist', DIST], { stdio: ['ignore', 'ignore', 'inherit'] });
  s.children.push(server);
  await accepting(port, server);
  const listener = spawn(PYTHON, [MERCHANT, s.credentials, s.url, 'listen', String(s.notifyPort), '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  s.children.push(listener);
  s.notes = lines(listener);
  await s.notes.next((v) => v.event === 'listening');
}

/** One call of the merchant's backend (the SDK): `{code, body}`. */
function backend(name, kwargs) {
  const out = execFileSync(PYTHON, [MERCHANT, s.credentials, s.url, 'call', name, JSON.stringify(kwargs)], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** One call of the merchant's 网页授权 client (wechatpy): `{ok}` or `{errcode, errmsg}`. */
function oauth(name, kwargs) {
  const out = execFileSync(PYTHON, [MERCHANT, s.credentials, s.url, 'oauth', name, JSON.stringify(kwargs)], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** 「允许」 on WeChat's consent page, with 二次验证 if WeChat asks; lands on the merchant's page. */
async function allow(w) {
  await w.button('允许').click();
  const landed = w.page.waitForURL(/\/oauth\/callback/).then(() => 'landed');
  const asked = w.page.getByText('二次验证').first().waitFor().then(() => 'asked');
  if ((await Promise.race([landed, asked])) === 'asked') {
    await w.button('获取验证码').click();
    await w.page.locator('.sent').waitFor();
    const code = await w.readCodeFromPhone();
    await w.closePhone();
    await w.field('验证码').fill(code);
    await w.button('确认').click();
    await landed;
  }
}

async function person() {
  const context = await s.browser.newContext({ locale: 'zh-CN' });
  const wallet = new Wallet(await context.newPage(), s.url);
  wallet.close = async () => {
    // A save refused because another came first is answered 409, which the
    // browser logs; the store then reads again and runs the command again.
    const errors = wallet.pageErrors.filter((e) => !e.includes('status of 409 (Conflict)'));
    expect(errors.join('\n'), 'page errors').toBe('');
    await context.close();
  };
  return wallet;
}

test("a merchant backend's native order: paid in the browser, notified (retried), queried, refunded", async () => {
  await sandbox('pay');
  const created = backend('pay', {
    description: '沙盒拿铁', out_trade_no: 'E2ESANDBOX01', amount: { total: 2500 },
    notify_url: `http://127.0.0.1:${s.notifyPort}/notify`,
  });
  expect(created.code, JSON.stringify(created)).toBe(200);
  const codeUrl = created.body.code_url;
  expect(codeUrl.startsWith(`${s.url}/wechat/pay?mch=${s.merchant.mchid}&`), codeUrl).toBe(true);

  const w = await person();
  const demo = await w.signedInDemo({ money: 100, bound: true });
  expect(await w.page.getByTestId('sandbox-mode').isVisible(), 'sandbox mode is said').toBe(true);
  // Nothing of the state is in this browser: it is on the server.
  expect(await w.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('qianbao.state') || k.startsWith('qianbao.journal'))), 'localStorage').toEqual([]);

  // 「扫一扫」 would open this link; the cashier shows the merchant's order.
  await w.page.goto(codeUrl);
  await w.page.getByTestId('pay-amount').waitFor();
  expect(await w.page.getByTestId('pay-amount').innerText(), 'amount').toBe('¥25.00');
  await w.expectText('沙盒咖啡馆');
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.screenshot('90-sandbox-cashier');
  await w.button('确认支付').click();
  await w.expectText('支付成功');

  // The first notification is refused by the merchant (500) …
  const first = await s.notes.next((v) => v.event === 'notification' && v.attempt === 1);
  expect(first.verified, 'the SDK verified and decrypted it').toBe(true);
  expect(first.answered).toBe(500);
  const resource = first.notification.resource;
  expect([resource.out_trade_no, resource.trade_state, resource.amount.total, resource.mchid],
    'the decrypted transaction').toEqual(['E2ESANDBOX01', 'SUCCESS', 2500, s.merchant.mchid]);
  expect(first.notification.event_type).toBe('TRANSACTION.SUCCESS');
  // … and sent again once the sandbox's clock passes WeChat's 15 s wait.
  await w.open('/dev');
  await w.button('快进 5 分钟').click();
  const second = await s.notes.next((v) => v.event === 'notification' && v.attempt === 2);
  expect([second.verified, second.answered], 'second attempt').toEqual([true, 200]);
  expect(second.notification.id, 'the same notification').toBe(first.notification.id);

  // (Five minutes on, the wallet has locked itself for being idle.)
  const unlock = async () => {
    await w.open('/');
    await w.expectText('钱包已锁定');
    await w.field('密码').fill(demo.password);
    await w.button('解锁').click();
    await w.page.getByTestId('balance').waitFor();
  };
  await unlock();

  const queried = backend('query', { out_trade_no: 'E2ESANDBOX01' });
  expect([queried.code, queried.body.trade_state, queried.body.amount.payer_total]).toEqual([200, 'SUCCESS', 2500]);
  expect(queried.body.transaction_id, 'transaction id').toBe(resource.transaction_id);
  expect(queried.body.payer.openid, 'payer').toBe(resource.payer.openid);

  const refunded = backend('refund', {
    out_refund_no: 'E2EREFUND01', out_trade_no: 'E2ESANDBOX01', amount: { refund: 1000, total: 2500, currency: 'CNY' },
  });
  // Accepted, PROCESSING: the money has left the merchant, not yet reached
  // the wallet; it does on the sandbox's clock, and the backend is told.
  expect([refunded.code, refunded.body.status, refunded.body.amount.refund], JSON.stringify(refunded)).toEqual([200, 'PROCESSING', 1000]);
  expect(refunded.body.success_time, 'no success_time before success').toBe(undefined);
  expect(backend('query', { out_trade_no: 'E2ESANDBOX01' }).body.trade_state).toBe('REFUND');
  await w.open('/dev');
  await w.button('快进 5 分钟').click();
  const refundTold = (type, no) => s.notes.next((v) => v.event === 'notification' && v.notification?.event_type === type && v.notification.resource.out_refund_no === no);
  const succeeded = await refundTold('REFUND.SUCCESS', 'E2EREFUND01');
  expect([succeeded.verified, succeeded.answered], 'the SDK verified and decrypted it').toEqual([true, 200]);
  const told = succeeded.notification.resource;
  expect([told.refund_status, told.amount.refund, told.amount.total, told.mchid, told.out_trade_no, told.transaction_id],
    'the decrypted refund').toEqual(['SUCCESS', 1000, 2500, s.merchant.mchid, 'E2ESANDBOX01', resource.transaction_id]);
  expect(typeof told.success_time, 'success_time').toBe('string');
  const refund = backend('query_refund', { out_refund_no: 'E2EREFUND01' });
  expect([refund.code, refund.body.status, refund.body.refund_id]).toEqual([200, 'SUCCESS', told.refund_id]);

  // The console holds the next refund PROCESSING; the person decides it:
  // 「退款异常」 (told ABNORMAL), then 「退款成功」 (told SUCCESS).
  await w.page.getByLabel('新退款停在处理中（PROCESSING），由我在此决定结果').check();
  await w.button('应用退款设置').click();
  await w.page.getByTestId('refund-hold').getByText('退款停在处理中，等待决定').waitFor();
  expect(backend('refund', {
    out_refund_no: 'E2EREFUND02', out_trade_no: 'E2ESANDBOX01', amount: { refund: 500, total: 2500, currency: 'CNY' },
  }).body.status).toBe('PROCESSING');
  const held = w.page.locator('[data-refund=E2EREFUND02][data-status=PROCESSING]');
  await held.waitFor();
  await w.button('快进 5 分钟').click();
  await w.page.getByText(/快进了 15 分钟/).waitFor();
  expect(backend('query_refund', { out_refund_no: 'E2EREFUND02' }).body.status, 'held').toBe('PROCESSING');
  await held.getByRole('button', { name: '退款异常' }).click();
  expect((await refundTold('REFUND.ABNORMAL', 'E2EREFUND02')).notification.summary).toBe('退款异常');
  expect(backend('query_refund', { out_refund_no: 'E2EREFUND02' }).body.status).toBe('ABNORMAL');
  const abnormal = w.page.locator('[data-refund=E2EREFUND02][data-status=ABNORMAL]');
  await w.screenshot('92-sandbox-refund-abnormal', w.page.getByTestId('refunds'));
  await abnormal.getByRole('button', { name: '退款成功' }).click();
  await refundTold('REFUND.SUCCESS', 'E2EREFUND02');
  await w.page.locator('[data-refund=E2EREFUND02][data-status=SUCCESS]').waitFor();

  // The wallet shows the payment and the refunds the backend made.
  await unlock();
  expect(await w.balance(), 'wallet: 100 − 25 + 10 + 5').toBe('¥90.00');
  // The console shows both attempts with the merchant's answers, and the
  // merchant with its order under 「商户与应用」.
  await w.open('/dev');
  const row = w.page.locator(`[data-mchid="${s.merchant.mchid}"] [data-order=E2ESANDBOX01][data-state=REFUND]`);
  expect(await row.innerText(), 'the order in 商户与应用').toContain('通知 2 次，商户已确认');
  await w.screenshot('91-sandbox-dev');

  // 「接入检查」, asked for: the SDK's callback refuses every forged or
  // tampered probe, but takes a notification an hour old (wechatpayv3
  // does not look at Wechatpay-Timestamp) — the report says so.
  await w.page.locator(`[data-mchid="${s.merchant.mchid}"]`).getByRole('button', { name: '接入检查' }).click();
  const verdict = w.page.getByTestId('check-verdict');
  await verdict.waitFor();
  expect(await verdict.getAttribute('data-passed'), await verdict.innerText()).toBe('false');
  const rows = await w.page.getByTestId('check-report').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.probe, tr.dataset.passed]));
  expect(rows, 'each probe judged').toEqual([
    ['valid', 'true'], ['duplicate', 'true'], ['signtest', 'true'], ['forged', 'true'],
    ['stale', 'false'], ['unknown_serial', 'true'], ['tampered', 'true'],
  ]);
  // The merchant's own faults (a test helper), shown under it until its
  // calls meet them — the page follows by itself.
  const faults = await fetch(`${s.url}/sandbox/v1/test-helpers/faults`, {
    method: 'POST', body: JSON.stringify({ busy: 1 }),
    headers: { Authorization: `Bearer ${s.merchant.test_helpers_token}`, 'Content-Type': 'application/json' },
  });
  expect(faults.status, 'faults set').toBe(200);
  const own = w.page.locator(`[data-mchid="${s.merchant.mchid}"] [data-testid=own-faults]`);
  await own.waitFor();
  expect(await own.innerText()).toContain('SYSTEM_ERROR 1 次');
  await w.screenshot('95-sandbox-own-faults', own);
  const busy = backend('query', { out_trade_no: 'E2ESANDBOX01' });
  expect([busy.code, busy.body.code], JSON.stringify(busy)).toEqual([500, 'SYSTEM_ERROR']);
  await own.waitFor({ state: 'detached' });
  expect(backend('query', { out_trade_no: 'E2ESANDBOX01' }).code, 'then answered').toBe(200);
  await w.screenshot('93-sandbox-check', w.page.locator(`[data-mchid="${s.merchant.mchid}"]`));
  await w.page.setViewportSize({ width: 375, height: 800 });
  await w.screenshot('94-sandbox-check-phone', w.page.getByTestId('check-report'));
  await w.close();
});

test('two browsers confirming at once on one sandbox server lose nothing', async () => {
  await sandbox('two');
  const a = await person();
  const demo = await a.signedInDemo({ money: 100 });
  const b = await person();
  await b.signInAs(demo);
  await a.fillMovement('/withdraw', { 金额: '10' });
  await b.fillMovement('/withdraw', { 金额: '20' });
  // Both 「确认」 at once: one save is refused by the server (409), its
  // command runs again on the newer state, and both count.
  await Promise.all([a.confirmMovement(), b.confirmMovement()]);
  await a.open('/');
  await b.open('/');
  expect(await a.balance(), 'both withdrawals: 100 − 10 − 20').toBe('¥70.00');
  expect(await b.balance()).toBe('¥70.00');
  await a.close();
  await b.close();
});

test("网页授权 for a merchant's app with wechatpy: 允许, tokens, userinfo; a reused code, 拒绝, an expired code", async () => {
  await sandbox('oauth');
  const callback = `http://127.0.0.1:${s.notifyPort}/oauth/callback`;
  const authorize = (state) => oauth('authorize_url', { redirect_uri: callback, state }).ok;
  const first = authorize('STATE0001');
  expect(first.startsWith(`${s.url}/connect/oauth2/authorize?appid=${s.merchant.appid}&redirect_uri=`), first).toBe(true);

  const w = await person();
  // (Logged in to WeChat by the binding; ¥50 in the bound wallet.)
  const demo = await w.signedInDemo({ money: 50, bound: true });
  // The merchant's page sends the person to WeChat's consent.
  await w.page.goto(first);
  await w.page.waitForURL(/\/connect\/oauth2\/authorize\?/);
  await w.expectText('沙盒咖啡馆');
  await w.screenshot('92-sandbox-consent');
  await allow(w);
  const visit = await s.notes.next((v) => v.event === 'oauth' && v.state === 'STATE0001');
  expect(typeof visit.code, 'a code came back').toBe('string');

  const tokens = oauth('fetch_access_token', { code: visit.code });
  expect(tokens.ok?.scope, JSON.stringify(tokens)).toBe('snsapi_userinfo');
  expect(tokens.ok.expires_in).toBe(7200);
  const { openid, access_token: accessToken, refresh_token: refreshToken } = tokens.ok;
  const info = oauth('get_user_info', { openid, access_token: accessToken });
  expect([info.ok?.openid, info.ok?.nickname], JSON.stringify(info)).toEqual([openid, demo.wechat.nickname]);
  // headimgurl is a URL, as WeChat's is: an image a backend can show or fetch.
  const avatar = info.ok.headimgurl;
  expect(avatar.startsWith(`${s.url}/sandbox/v1/avatar/`) && avatar.endsWith('/132'), avatar).toBe(true);
  const image = await fetch(avatar);
  expect([image.status, image.headers.get('content-type')], avatar).toEqual([200, 'image/svg+xml']);
  expect((await image.text()).includes('width="132"'), 'a 132 px image').toBe(true);
  expect(oauth('check_access_token', { openid, access_token: accessToken }).ok, '/sns/auth').toBe(true);
  expect(oauth('get_user_info', { openid: `o${'y'.repeat(27)}`, access_token: accessToken }), 'another openid')
    .toEqual({ errcode: 40003, errmsg: 'invalid openid' });
  // A code is good once.
  expect(oauth('fetch_access_token', { code: visit.code }), 'the same code again').toEqual({ errcode: 40163, errmsg: 'code been used' });
  expect(oauth('fetch_access_token', { code: 'nosuchcode', secret: 'f'.repeat(32) }).errcode, 'a wrong AppSecret').toBe(40125);
  const refreshed = oauth('refresh_access_token', { refresh_token: refreshToken });
  expect(refreshed.ok?.openid, JSON.stringify(refreshed)).toBe(openid);
  expect(refreshed.ok.access_token === accessToken, 'a new access token').toBe(false);
  expect(oauth('check_access_token', { openid, access_token: refreshed.ok.access_token }).ok).toBe(true);

  // A JSAPI order for this openid, paid at the cashier its prepay_id opens.
  const notify = `http://127.0.0.1:${s.notifyPort}/notify`;
  const jsapi = (no, payer) => backend('pay', {
    description: '公众号下单', out_trade_no: no, amount: { total: 990 }, payer: { openid: payer }, pay_type: 'JSAPI', notify_url: notify,
  });
  const placed = jsapi('E2EJSAPI0001', openid);
  expect(placed.code, JSON.stringify(placed)).toBe(200);
  expect(/^wx[0-9a-f]{30}$/.test(placed.body.prepay_id), placed.body.prepay_id).toBe(true);
  expect(jsapi('E2EJSAPI0002', `o${'x'.repeat(27)}`).body.code, 'an openid of no user of this app').toBe('OPENID_MISMATCH');
  await w.page.goto(`${s.url}/wechat/pay?prepay_id=${placed.body.prepay_id}`);
  await w.page.getByTestId('pay-amount').waitFor();
  expect(await w.page.getByTestId('pay-amount').innerText()).toBe('¥9.90');
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectText('支付成功');
  const paid = backend('query', { out_trade_no: 'E2EJSAPI0001' });
  expect([paid.body.trade_state, paid.body.trade_type, paid.body.payer?.openid]).toEqual(['SUCCESS', 'JSAPI', openid]);
  // The JS bridge on the merchant's own page: getBrandWCPayRequest with the
  // paySign its backend's SDK made opens the cashier; paid there, the page
  // hears :ok and the backend is notified. A wrong paySign is :fail with
  // 「支付验证签名失败」, and nothing opens; closed unpaid, :cancel.
  const bridged = jsapi('E2EJSAPI0003', openid);
  expect(bridged.code, JSON.stringify(bridged)).toBe(200);
  const brand = (prepay, sign = true) => {
    const params = {
      appId: s.merchant.appid, timeStamp: String(Math.floor(Date.now() / 1000)), nonceStr: `N${Date.now()}`,
      package: `prepay_id=${prepay}`, signType: 'RSA',
    };
    const signed = JSON.parse(execFileSync(PYTHON, [MERCHANT, s.credentials, s.url, 'paysign',
      JSON.stringify([params.appId, params.timeStamp, params.nonceStr, params.package])], { encoding: 'utf8' }));
    return { ...params, paySign: sign ? signed.paySign : signed.paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
  };
  const invoke = (params) => w.page.evaluate((p) => new Promise((resolve) => {
    window.WeixinJSBridge.invoke('getBrandWCPayRequest', p, resolve);
  }), params);
  await w.page.goto(`http://127.0.0.1:${s.notifyPort}/jsapi`);
  await w.page.waitForFunction(() => typeof window.WeixinJSBridge === 'object');
  const wrong = await invoke(brand(bridged.body.prepay_id, false));
  expect(wrong, 'a wrong paySign').toEqual({ err_msg: 'get_brand_wcpay_request:fail', err_desc: '支付验证签名失败', err_code: 'JSAPI_PAY_SIGN' });
  const opened = w.page.waitForEvent('popup');
  const result = invoke(brand(bridged.body.prepay_id));
  const popup = await opened;
  await popup.getByTestId('pay-amount').waitFor();
  expect(await popup.getByTestId('pay-amount').innerText()).toBe('¥9.90');
  await popup.getByLabel('支付密码', { exact: true }).fill(demo.wechat.payPassword);
  await popup.getByRole('button', { name: '确认支付' }).click();
  expect(await result, 'the page hears the payment').toEqual({ err_msg: 'get_brand_wcpay_request:ok' });
  const note = await s.notes.next((v) => v.event === 'notification' && v.notification?.resource?.out_trade_no === 'E2EJSAPI0003');
  expect(note.verified, 'notified, verified by the SDK').toBe(true);
  expect(await invoke(brand(bridged.body.prepay_id)), 'paid already').toEqual({ err_msg: 'get_brand_wcpay_request:fail', err_desc: '该订单已支付', err_code: 'JSAPI_ORDER_PAID' });
  await popup.close();
  const unpaid = jsapi('E2EJSAPI0004', openid);
  const reopened = w.page.waitForEvent('popup');
  const cancelled = invoke(brand(unpaid.body.prepay_id));
  const second = await reopened;
  await second.getByRole('button', { name: '取消支付' }).click();
  expect(await cancelled, 'cancelled in the cashier').toEqual({ err_msg: 'get_brand_wcpay_request:cancel' });
  expect(backend('query', { out_trade_no: 'E2EJSAPI0004' }).body.trade_state, 'not paid').toBe('NOTPAY');

  // H5: the h5_url a phone's browser opens is the cashier, for whoever pays.
  const h5 = backend('pay', {
    description: '手机网页下单', out_trade_no: 'E2EH5ORDER01', amount: { total: 450 }, pay_type: 'H5', notify_url: notify,
    scene_info: { payer_client_ip: '203.0.113.7', h5_info: { type: 'Wap', app_name: '沙盒咖啡馆' } },
  });
  expect(h5.code, JSON.stringify(h5)).toBe(200);
  // A redirect_url off the merchant's domain: WeChat's 「商家参数格式有误」.
  await w.page.goto(`${h5.body.h5_url}&redirect_url=${encodeURIComponent('http://evil.example/paid')}`);
  await w.expectText('商家参数格式有误');
  const back = `http://127.0.0.1:${s.notifyPort}/h5/paid?order=E2EH5ORDER01`;
  await w.page.goto(`${h5.body.h5_url}&redirect_url=${encodeURIComponent(back)}`);
  await w.page.getByTestId('pay-amount').waitFor();
  expect(await w.page.getByTestId('pay-amount').innerText()).toBe('¥4.50');
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectText('支付成功');
  const h5paid = backend('query', { out_trade_no: 'E2EH5ORDER01' });
  expect([h5paid.body.trade_state, h5paid.body.trade_type, h5paid.body.payer?.openid]).toEqual(['SUCCESS', 'MWEB', openid]);
  // 「返回商家」: back to the merchant's page, which queries the order.
  await w.page.getByRole('link', { name: '返回商家' }).click();
  await w.page.waitForURL(back);

  // 「拒绝」: back to the merchant's page with its state and no code.
  await w.page.goto(authorize('STATE0002'));
  await w.button('拒绝').click();
  await w.page.waitForURL(/\/oauth\/callback\?state=STATE0002$/);
  const denied = await s.notes.next((v) => v.event === 'oauth' && v.state === 'STATE0002');
  expect(denied.code, 'no code on 拒绝').toBe(null);

  // snsapi_base is authorized silently (静默授权): no consent screen, the
  // person is sent straight back with a code; the token names the openid only.
  await w.page.goto(oauth('authorize_url', { redirect_uri: callback, state: 'STATE0004', scope: 'snsapi_base' }).ok);
  await w.page.waitForURL(/\/oauth\/callback\?code=[^&]+&state=STATE0004$/);
  const silent = await s.notes.next((v) => v.event === 'oauth' && v.state === 'STATE0004');
  expect(typeof silent.code, 'a code without 「允许」').toBe('string');
  const base = oauth('fetch_access_token', { code: silent.code });
  expect([base.ok?.scope, base.ok?.openid], JSON.stringify(base)).toEqual(['snsapi_base', openid]);

  // A code not exchanged within five minutes of the sandbox's clock is invalid.
  await w.page.goto(authorize('STATE0003'));
  await allow(w);
  const late = await s.notes.next((v) => v.event === 'oauth' && v.state === 'STATE0003');
  await w.open('/dev');
  await w.button('快进 5 分钟').click();
  await w.expectText('快进了 5 分钟');
  expect(oauth('fetch_access_token', { code: late.code }), 'an expired code').toEqual({ errcode: 40029, errmsg: 'invalid code' });
  await w.close();
});

test("the console's faults meet a merchant backend's calls too: no answer, then 系统繁忙, then through", async () => {
  await sandbox('faults');
  const w = await person();
  await w.injectFaults({ network: 1, busy: 1 });
  const order = () => backend('pay', {
    description: '故障演练', out_trade_no: 'E2EFAULT0001', amount: { total: 100 },
    notify_url: `http://127.0.0.1:${s.notifyPort}/notify`,
  });
  expect(order().code, 'the network failure: no answer').toBe(504);
  const busy = order();
  expect([busy.code, busy.body.code], '系统繁忙').toEqual([500, 'SYSTEM_ERROR']);
  const through = order();
  expect(through.code, JSON.stringify(through)).toBe(200);
  expect(backend('query', { out_trade_no: 'E2EFAULT0001' }).body.trade_state, 'one order, placed once').toBe('NOTPAY');
  // The form shows the plan as it is, and 「应用」 changes only what was
  // changed: a teammate sets two network failures while this page is open;
  // setting 系统繁忙 alone here leaves them.
  await w.open('/dev');
  const field = (label) => w.field(label);
  expect(await field('接下来 N 次请求网络失败').inputValue(), 'the current plan, not a default').toBe('0');
  const mate = await person();
  await mate.injectFaults({ network: 2, busy: 0 });
  await w.page.getByTestId('faults').filter({ hasText: '网络失败 2 次' }).waitFor();
  expect(await field('接下来 N 次请求网络失败').inputValue(), 'an untouched field follows the plan').toBe('2');
  await field('接下来 N 次请求返回系统繁忙（-1）').fill('1');
  await w.button('应用').click();
  await w.page.getByTestId('faults').filter({ hasText: '当前：网络失败 2 次，系统繁忙 1 次' }).waitFor();
  await mate.open('/dev');
  await mate.expectText('当前：网络失败 2 次，系统繁忙 1 次');
  await mate.injectFaults({ network: 0, busy: 0 });
  await w.page.getByTestId('faults').filter({ hasText: '当前：网络失败 0 次，系统繁忙 0 次' }).waitFor();
  await mate.close();
  // FREQUENCY_LIMITED on demand, for a backend's back-off.
  await w.open('/dev');
  await w.field('接下来 N 次商户后台调用返回 FREQUENCY_LIMITED（429）').fill('1');
  await w.button('应用频率限制').click();
  await w.page.getByTestId('limited').filter({ hasText: '当前：还有 1 次' }).waitFor();
  await w.settled();
  const limited = backend('query', { out_trade_no: 'E2EFAULT0001' });
  expect([limited.code, limited.body.code], 'limited').toEqual([429, 'FREQUENCY_LIMITED']);
  expect(backend('query', { out_trade_no: 'E2EFAULT0001' }).code, 'then through').toBe(200);
  // The console lists both failed calls.
  await w.open('/dev');
  await w.expectText('POST /v3/pay/transactions/native');

  // 「商户与应用」 registers a merchant as `merchant add` does: a bad
  // domain is refused and changes nothing; then the credentials, once.
  await w.field('商户名称').fill('控制台商店');
  await w.field('支付通知地址（notify_url）').fill('http://127.0.0.1:3000/notify');
  await w.field('网页授权域名（主机[:端口]）').fill('not a domain');
  await w.button('注册商户').click();
  await w.expectText('授权域名须为主机名或 IP 地址');
  expect(await w.page.locator('[data-mchid]').count(), 'one merchant still').toBe(1);
  await w.field('网页授权域名（主机[:端口]）').fill('127.0.0.1:3000');
  await w.button('注册商户').click();
  const credentials = JSON.parse(await w.page.getByTestId('credentials').innerText());
  expect(/^19\d{8}$/.test(credentials.mchid), credentials.mchid).toBe(true);
  expect(credentials.merchant_private_key_pem).toContain('BEGIN PRIVATE KEY');
  await w.page.locator(`[data-mchid="${credentials.mchid}"]`).waitFor();

  // The notification switches: a delay out of range is refused, then set.
  await w.field('首次通知延迟（秒，0–3600）').fill('7200');
  await w.button('应用通知设置').click();
  await w.expectText('延迟须为 0 到 3600 之间的整数秒。');
  await w.page.getByLabel('每条通知发送两次').check();
  await w.field('首次通知延迟（秒，0–3600）').fill('30');
  await w.button('应用通知设置').click();
  await w.page.getByTestId('notify-plan').filter({ hasText: '当前：重复发送，延迟 30 秒，按付款顺序' }).waitFor();
  await w.screenshot('93-sandbox-merchants');

  // 「平台证书与微信支付公钥」: a rotation's three steps, in order (out of
  // order is refused and says why); the backend, verifying with the public
  // key it was given, verifies every answer until its key is retired.
  const keys = w.page.getByTestId('platform-keys');
  await keys.locator('[data-stage=active]').waitFor();
  await w.button('停用旧密钥').click();
  await w.expectText('没有要停用的旧密钥：请先切换到新密钥。');
  await w.button('发布新密钥').click();
  await keys.locator('[data-stage=next]').waitFor();
  expect(backend('query', { out_trade_no: 'E2EFAULT0001' }).code, 'published: still the old key').toBe(200);
  await w.button('切换到新密钥').click();
  await keys.locator('[data-stage=retiring]').waitFor();
  expect(backend('query', { out_trade_no: 'E2EFAULT0001' }).code, 'switched: its key still named').toBe(200);
  await w.screenshot('93b-sandbox-platform-keys');
  await w.button('停用旧密钥').click();
  await keys.locator('[data-stage=retiring]').waitFor({ state: 'detached' });
  expect(await keys.locator('li[data-stage]').count(), 'one key left').toBe(1);
  await w.close();
});
