// Every refused try says what happened, in the right words: WeChat's 「登录」
// (on /wechat/ and on the authorize page) shows its code, the tries left and
// the lock; an empty field or password is its own message and no try (the
// wallet's 登录, WeChat's, the cashier's 支付密码); the developer console
// refuses numbers out of range and names the range; guidance fits its cause
// (an empty 真实姓名, 零钱 short, an order paid already).
import { test } from 'node:test';
import { harness } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';
import { Wallet } from '../lib/wallet.mjs';

const h = harness();

/** The error box's guidance line. */
async function guidance(w) {
  return w.page.locator('.error-box .error-guidance').first().innerText();
}

test("WeChat's 登录 says why it refused, and an empty field is no try", async () => {
  const w = await h.wallet();
  const demo = await w.createDemo();
  await w.open('/wechat/');
  await w.wechatLogIn({ wxid: '', password: '' });
  await w.expectError('WX-ACC-EMPTY');
  await w.expectText('请输入微信号或手机号。');
  await w.wechatLogIn({ wxid: 'nobody2026', password: 'Whatever2026x' });
  await w.expectError('WX-ACC-UNKNOWN');
  await w.page.locator('.error-box .error-help a').waitFor();
  const before = await w.storage();
  await w.wechatLogIn({ wxid: demo.wechat.wxid, password: '' });
  await w.expectError('WX-ACC-PASSWORD-EMPTY');
  await w.expectText('请输入微信密码。');
  expect(await w.storage(), 'an empty password changes nothing').toBe(before);
  for (let remaining = 4; remaining >= 1; remaining--) {
    await w.wechatLogIn({ wxid: demo.wechat.wxid, password: 'Wrong2026x' });
    await w.expectText(`还可以尝试 ${remaining} 次`);
    // An empty password in between counts nothing.
    await w.wechatLogIn({ wxid: demo.wechat.wxid, password: '' });
    await w.expectError('WX-ACC-PASSWORD-EMPTY');
  }
  await w.wechatLogIn({ wxid: demo.wechat.wxid, password: 'Wrong2026x' });
  await w.expectError('WX-ACC-LOCKED');
  await w.expectText('已锁定至');
  await w.wechatLogIn(demo.wechat);
  await w.expectError('WX-ACC-LOCKED');
  await w.close();
});

test("the authorize page's WeChat 登录 shows its errors too", async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo();
  await w.startBinding();
  await w.wechatLogIn({ wxid: '', password: 'Wrong2026x' });
  await w.expectError('WX-ACC-EMPTY');
  await w.wechatLogIn({ wxid: demo.wechat.wxid, password: 'Wrong2026x' });
  await w.expectError('WX-ACC-PASSWORD');
  await w.expectText('还可以尝试 4 次');
  await w.wechatLogIn(demo.wechat);
  await w.expectText('「数字钱包」申请使用你的微信账号');
  await w.close();
});

test("the wallet's 登录: an empty password is asked for and not counted", async () => {
  const w = await h.wallet();
  const demo = await w.createDemo();
  await w.open('/login');
  const before = await w.storage();
  await w.logIn(demo.login, '');
  await w.expectError('W-ACC-PASSWORD-EMPTY');
  await w.expectText('请输入密码。');
  expect(await w.storage(), 'nothing counted').toBe(before);
  for (let remaining = 4; remaining >= 1; remaining--) {
    await w.logIn(demo.login, 'Wrong2026x');
    await w.expectText(`还可以尝试 ${remaining} 次`);
    await w.logIn(demo.login, '');
    await w.expectError('W-ACC-PASSWORD-EMPTY');
  }
  await w.logIn(demo.login, 'Wrong2026x');
  await w.expectError('W-ACC-LOCKED');
  await w.close();
});

test('the cashier: an empty 支付密码 is no try; short 零钱 says 零钱; a paid order says where to look', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo({ money: 100, bound: true });

  await w.checkout('books', ['novel']);
  const cashier = new URL(w.page.url());
  await w.field('支付密码').fill('');
  await w.button('确认支付').click();
  await w.expectError('WX-PAY-PASSWORD-EMPTY');
  await w.expectText('请输入 6 位支付密码。');
  const wrong = demo.wechat.payPassword === '147258' ? '258147' : '147258';
  for (let remaining = 4; remaining >= 1; remaining--) {
    await w.field('支付密码').fill(wrong);
    await w.button('确认支付').click();
    await w.expectText(`还可以尝试 ${remaining} 次`);
    await w.field('支付密码').fill('');
    await w.button('确认支付').click();
    await w.expectError('WX-PAY-PASSWORD-EMPTY');
  }

  // 零钱 holds nothing: it is 零钱 that is short, with 零钱's advice.
  await w.page.getByLabel('零钱（余额 ¥0.00）').check();
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectError('NOTENOUGH');
  await w.expectText('微信零钱余额不足');
  expect(await guidance(w), 'change guidance').toContain('微信零钱充值');

  // The wallet pays; opening the cashier again says the order is paid.
  await w.page.getByLabel('数字钱包（余额 ¥100.00）').check();
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectText('支付成功');
  await w.open(cashier.pathname + cashier.search);
  await w.expectError('ORDERPAID');
  expect(await guidance(w), 'paid guidance').toContain('商家订单');
  expect(await guidance(w), 'not the account advice').notToContain('直接登录');
  await w.close();
});

test('the console refuses numbers out of range, names the range and changes nothing', async () => {
  const w = await h.wallet();
  await w.injectFaults({ network: 2, busy: 1, latency: 100 });
  const now = '当前：网络失败 2 次，系统繁忙 1 次，延迟 100 毫秒';
  for (const bad of ['-1', '1.5', 'abc', '1e9', '100', '99999999999999999999', '']) {
    await w.field('接下来 N 次请求网络失败').fill(bad);
    await w.button('应用').click();
    await w.expectError('W-DEV-COUNT');
    await w.expectText('0 到 99 的整数');
    await w.expectText(now);
  }
  await w.field('接下来 N 次请求网络失败').fill('0');
  await w.field('每次请求的延迟（毫秒）').fill('10001');
  await w.button('应用').click();
  await w.expectError('W-DEV-LATENCY');
  await w.expectText('0 到 10,000 的整数');
  await w.expectText(now);
  await w.field('每次请求的延迟（毫秒）').fill('10000');
  await w.button('应用').click();
  await w.expectText('当前：网络失败 0 次，系统繁忙 1 次，延迟 10000 毫秒');
  expect(await w.errorCode(), 'the error is gone').toBe(null);
  await w.close();
});

test('an empty 真实姓名 is told to enter the name, not a phone number', async () => {
  const w = await h.wallet();
  await w.open('/register');
  await w.register({ login: '13911112222', name: '', password: 'Sandbox2026x' });
  await w.expectError('W-ID-NAME-EMPTY');
  await w.expectText('请填写真实姓名。');
  expect(await guidance(w), 'name guidance').toContain('身份证');
  expect(await guidance(w), 'not the phone guidance').notToContain('手机号');
  await w.close();
});

test('the unlock screen: an empty password is asked for and no try; the right one stays unlocked past the idle limit', async () => {
  const a = await h.wallet();
  await a.page.clock.install();
  const demo = await a.createDemo();
  await a.signInAs(demo);
  await a.open('/settings');
  await a.saved(() => a.field('闲置自动锁定').selectOption('1'));
  // A new tab has no key; the first one closes; two minutes pass.
  const b = new Wallet(await a.page.context().newPage(), a.baseUrl);
  await a.page.close();
  await b.open('/');
  await b.expectText('钱包已锁定');
  await b.page.clock.fastForward('02:00');
  const before = await b.storage();
  await b.button('解锁').click();
  await b.expectError('W-ACC-PASSWORD-EMPTY');
  await b.expectText('请输入密码');
  expect(await b.storage(), 'an empty password counts nothing').toBe(before);
  await b.field('密码').fill('Wrong2026x');
  await b.button('解锁').click();
  await b.expectText('还可以尝试 4 次');
  await b.field('密码').fill(demo.password);
  await b.button('解锁').click();
  await b.page.getByTestId('balance').waitFor();
  // The idle limit had passed while no tab was open: the unlock is activity,
  // and the wallet does not lock again a few ticks later.
  await b.page.clock.fastForward('00:05');
  await b.page.getByTestId('balance').waitFor();
  expect(await b.page.locator('#unlock-password').count(), 'still unlocked').toBe(0);
  expect(b.pageErrors.join('\n'), 'errors').toBe('');
});

test('refusals are worded in English too', async () => {
  const w = await h.wallet({ locale: 'en-US' });
  // The page objects speak Chinese: create the demo, then switch.
  const demo = await w.createDemo();
  await w.button('English').click();
  // WeChat's login.
  await w.open('/wechat/');
  await w.page.getByLabel('WeChat ID or mobile number', { exact: true }).fill('');
  await w.page.getByLabel('Password', { exact: true }).fill('');
  await w.page.getByRole('button', { name: 'Log in', exact: true }).click();
  await w.expectError('WX-ACC-EMPTY');
  await w.page.getByLabel('WeChat ID or mobile number', { exact: true }).fill(demo.wechat.wxid);
  await w.page.getByLabel('Password', { exact: true }).fill('Wrong2026x');
  await w.page.getByRole('button', { name: 'Log in', exact: true }).click();
  await w.expectError('WX-ACC-PASSWORD');
  await w.expectText('4 more');
  // The console's numbers.
  await w.open('/dev');
  await w.page.locator('#dev-network').fill('-1');
  await w.page.getByRole('button', { name: 'Apply', exact: true }).click();
  await w.expectError('W-DEV-COUNT');
  // A file that is not an export.
  await w.page.locator('#dev-import').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await w.expectError('W-IMPORT-FORMAT');
  await w.expectText('nothing was imported');
  await w.expectText('Your current wallet data has not been changed.');
  const boxes = await w.page.locator('.error-box').allInnerTexts();
  // The wallet's login with an empty password, and registering without a name.
  await w.open('/login');
  await w.page.getByLabel('Mobile number or email', { exact: true }).fill(demo.login);
  await w.page.getByRole('button', { name: 'Log in', exact: true }).click();
  await w.expectError('W-ACC-PASSWORD-EMPTY');
  boxes.push(...(await w.page.locator('.error-box').allInnerTexts()));
  await w.open('/register');
  await w.page.getByLabel('Mobile number or email', { exact: true }).fill('13911112222');
  await w.page.getByLabel('Password', { exact: true }).fill('Sandbox2026x');
  await w.page.getByRole('button', { name: 'Register', exact: true }).click();
  await w.page.locator('.error-box').first().waitFor();
  boxes.push(...(await w.page.locator('.error-box').allInnerTexts()));
  // No Chinese in any error box.
  for (const text of boxes) expect(/[\u3400-\u9fff]/.test(text), `Chinese in "${text}"`).toBe(false);
  await w.close();
});
