// F6 in the built site: two-step verification with an authenticator app
// (RFC 6238), recovery codes, what localStorage may hold, a value changed by
// hand, and two tabs on one wallet.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';
import { luhn } from '../lib/cards.mjs';
import { codeAtStep, currentStep, parseOtpauth } from '../lib/totp.mjs';

const h = harness();

test('turn on two-step verification, sign in with a code, then with a recovery code', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  const demo = await w.createDemo();
  await w.signInAs(demo);
  await w.open('/settings');
  await w.expectText('两步验证');
  await w.button('开启两步验证').click();
  const secret = (await w.page.getByTestId('totp-secret').innerText()).replace(/\s/g, '');
  expect(secret.length, 'a 160-bit key in base32').toBe(32);
  expect(await w.page.locator('.two-factor .qr svg').count(), 'QR code').toBe(1);
  // The QR code's content is also a link: what an authenticator app reads.
  const uri = parseOtpauth(await w.page.getByTestId('otpauth-link').getAttribute('href'));
  expect(uri.type, 'otpauth type').toBe('totp');
  expect(uri.secret, 'the key in the URI').toBe(secret);
  expect(uri.issuer, 'issuer').toBe('Qianbao');
  expect(uri.label, 'label').toBe(`Qianbao:${demo.login}`);
  expect([uri.algorithm, uri.digits, uri.period].join(), 'parameters').toBe('SHA1,6,30');
  await w.screenshot('30-two-factor-setup');

  // A wrong code does not turn it on.
  await w.field('动态码（6 位数字）').fill('000000');
  await w.button('确认开启').click();
  await w.expectError('W-2FA-WRONG');
  const step = currentStep();
  await w.field('动态码（6 位数字）').fill(codeAtStep(secret, step));
  await w.button('确认开启').click();
  await w.page.getByTestId('recovery-codes').locator('li').first().waitFor();
  const codes = await w.page.getByTestId('recovery-codes').locator('li').allInnerTexts();
  expect(codes.length, 'recovery codes').toBe(10);
  await w.expectText('已开启');
  await w.screenshot('31-two-factor-on');
  const stored = await w.storage();
  for (const code of codes) expect(stored, 'localStorage').notToContain(code.replace(/-/g, ''));
  // Encrypted at rest: no secret, no personal detail readable in localStorage.
  for (const secretish of [secret, demo.login, demo.name, demo.wechat.wxid, 'argon2id', 'access_token', '"accounts"']) {
    expect(stored, `localStorage holds ${secretish}`).notToContain(secretish);
  }
  await w.button('我已保存恢复码').click();

  // Password, then the code from the "app": the next step's code is within ±1.
  await w.logOut();
  await w.open('/login');
  await w.logIn(demo.login, demo.password);
  await w.expectText('已开启两步验证');
  expect(await w.page.getByTestId('balance').count(), 'nothing shown before the code').toBe(0);
  await w.field('动态码或恢复码').fill('123 456');
  await w.button('验证').click();
  await w.expectText('还可以尝试 4 次');
  await w.screenshot('32-login-code');
  const next = codeAtStep(secret, currentStep() + 1);
  await w.field('动态码或恢复码').fill(next);
  await w.button('验证').click();
  await w.page.getByTestId('balance').waitFor();

  // The same code never works twice; a recovery code does, once.
  await w.logOut();
  await w.open('/login');
  await w.logIn(demo.login, demo.password);
  await w.field('动态码或恢复码').fill(next);
  await w.button('验证').click();
  await w.expectError('W-2FA-REUSED');
  await w.field('动态码或恢复码').fill(codes[0].toLowerCase());
  await w.button('验证').click();
  await w.expectText('还剩 9 个');
  await w.page.getByTestId('balance').waitFor();

  // Turning it off needs the password.
  await w.open('/settings');
  await w.field('密码').fill('Wrong2026x');
  await w.button('关闭两步验证').click();
  await w.expectError('W-ACC-PASSWORD');
  await w.field('密码').fill(demo.password);
  await w.button('关闭两步验证').click();
  await w.expectText('未开启');
  await w.logOut();
  await w.signInAs(demo);
  await w.close();
});

/** A Luhn-valid ICBC debit card number. */
const ICBC_DEBIT = luhn('6222020012345678');

test('a digit changed by hand in a stored value shows the recovery screen', async () => {
  const w = await h.wallet();
  const demo = await w.createDemo();
  await w.signInAs(demo);
  const original = await w.page.evaluate(() => localStorage.getItem('qianbao.state'));
  // The record is encrypted: change one character of its ciphertext.
  const changed = original.replace(/"main":\{"sealed":\{"v":1,"n":"([0-9a-f]+)","c":"([0-9a-f])/, (all, n, c) => all.slice(0, -1) + (c === '0' ? '1' : '0'));
  expect(changed === original, 'changed').toBe(false);
  await w.page.evaluate((v) => localStorage.setItem('qianbao.state', v), changed);
  await w.reload();
  await w.expectError('W-STORE-CORRUPT');
  await w.expectText('本地数据无法读取');
  expect(await w.page.evaluate(() => localStorage.getItem('qianbao.state')), 'kept as it was').toBe(changed);
  await w.screenshot('33-tampered');
  await w.close();
});

test('two tabs on one wallet lose no update; a logout or a lock in one reaches the other', async () => {
  const a = await h.wallet();
  const user = await a.createDemo();
  await a.signInAs(user);
  await a.addCard(ICBC_DEBIT, user.name);
  await a.expectText('银行卡已添加。');
  await a.fillMovement('/top-up', { 金额: '500' });
  expect(await a.confirmMovement(), 'first top-up').toBe('¥500.00');

  // Tab B: a new tab has no key yet — the stored data is encrypted — so
  // it asks for the password first, then reaches the review step of a
  // top-up of 100 and waits there.
  const b = await a.otherTab(user);
  await b.fillMovement('/top-up', { 金额: '100' });
  await b.page.getByTestId('review-amount').waitFor();

  // Meanwhile tab A tops up 200.
  await a.fillMovement('/top-up', { 金额: '200' });
  expect(await a.confirmMovement(), 'A after its top-up').toBe('¥700.00');

  // B confirms: its top-up lands on top of A's, not instead of it.
  expect(await b.confirmMovement(), 'B after its top-up').toBe('¥800.00');
  expect(await a.balance(), 'A sees both').toBe('¥800.00');
  const lines = await a.historyLines();
  expect(lines.filter((l) => l.startsWith('充值')).length, `three top-ups in ${lines}`).toBe(3);

  // A logout in B signs A out without a reload (A is still on 交易记录).
  await b.logOut();
  await a.expectText('请先登录。');
  expect(await a.page.locator('.history li').count(), 'history hidden').toBe(0);

  // Signing in again in A opens B too; a lock in A locks B.
  await a.signInAs(user);
  await b.page.getByTestId('balance').waitFor();
  await a.open('/settings');
  await a.button('立即锁定').click();
  await b.expectText('钱包已锁定');
  await b.screenshot('34-locked-by-other-tab');
  expect(b.pageErrors.join('\n'), 'tab B errors').toBe('');
  await a.close();
});

test('the Content-Security-Policy lets the app run and nothing injected', async () => {
  const w = await h.wallet();
  await w.open('/');
  await w.expectText('欢迎使用数字钱包');
  const policy = await w.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy, 'policy').toContain("default-src 'none'");
  expect(policy, 'policy').notToContain('unsafe-inline');
  const ran = await w.page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.head.append(script);
    return window.injected === true;
  });
  expect(ran, 'an injected inline script ran').toBe(false);
  // The refusal is reported on the console; that one is expected.
  const refused = w.pageErrors.filter((e) => e.includes('Content Security Policy'));
  expect(refused.length > 0, 'the browser reported the refusal').toBe(true);
  w.pageErrors = w.pageErrors.filter((e) => !e.includes('Content Security Policy'));
  await w.close();
});

test('change the password: the current one is needed, the new one works, the old one no longer', async () => {
  const w = await h.wallet();
  const demo = await w.createDemo();
  await w.signInAs(demo);
  await w.open('/settings');
  await w.field('原密码').fill(demo.password);
  await w.field('新密码').fill('Changed2027y');
  await w.field('再次输入新密码').fill('Changed2027z');
  await w.button('修改密码').click();
  await w.expectError('W-PW-CONFIRM');
  await w.field('原密码').fill('Wrong2026x');
  await w.field('新密码').fill('Changed2027y');
  await w.field('再次输入新密码').fill('Changed2027y');
  await w.button('修改密码').click();
  await w.expectError('W-ACC-PASSWORD');
  await w.field('原密码').fill(demo.password);
  await w.field('新密码').fill('Changed2027y');
  await w.field('再次输入新密码').fill('Changed2027y');
  await w.button('修改密码').click();
  await w.expectText('密码已修改');
  expect(await w.storage(), 'localStorage').notToContain('Changed2027y');
  await w.logOut();
  await w.open('/login');
  await w.logIn(demo.login, demo.password);
  await w.expectError('W-ACC-PASSWORD');
  await w.signInAs({ ...demo, password: 'Changed2027y' });
  await w.close();
});
