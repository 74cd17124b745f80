// F1 accounts, end to end in the built site: register with a phone number,
// read the code on the phone, log in, log out, five wrong passwords, locked,
// still locked after a reload; and every bad input changes nothing.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';

const h = harness();
const PASSWORD = 'Sandbox2026x';

test('register by phone, log in, log out, lock out, survive a reload', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  await w.open('/');
  await w.expectText('模拟环境');
  await w.screenshot('01-welcome');

  await w.link('注册').click();
  await w.expectText('注册数字钱包');
  // A bad number gets a clear message and sends nothing.
  await w.field('手机号或邮箱').fill('123 4567');
  await w.button('获取验证码').click();
  await w.expectError('W-ID-PHONE');
  expect(await w.page.locator('.phone-toggle .badge').count(), 'unread badge').toBe(0);

  await w.field('手机号或邮箱').fill('+86 139-1234-5678');
  await w.button('获取验证码').click();
  await w.expectText('验证码已发送至 139****5678');
  // Resend is held back for 60 s.
  await w.page.getByRole('button', { name: /秒后重发/ }).waitFor();
  const code = await w.readCodeFromPhone();
  await w.screenshot('02-phone-inbox');
  await w.closePhone();

  await w.field('验证码').fill(code);
  await w.field('真实姓名').fill('李华');
  // A common password is refused, and costs no code attempt.
  await w.field('密码').fill('password123');
  await w.button('注册').click();
  await w.expectError('W-PW-COMMON');
  await w.field('密码').fill('a13912345678');
  await w.button('注册').click();
  await w.expectError('W-PW-PHONE');
  await w.screenshot('03-register-error');

  await w.field('密码').fill(PASSWORD);
  await w.button('注册').click();
  await w.expectText('注册成功，请登录。');
  expect(await w.field('手机号或邮箱').inputValue(), 'pre-filled login').toBe('13912345678');
  await w.screenshot('04-login');

  await w.logIn('13912345678', PASSWORD);
  await w.expectText('你好，李华');
  await w.screenshot('05-home');
  const stored = await w.storage();
  expect(stored, 'localStorage').notToContain(PASSWORD);

  await w.button('退出登录').click();
  await w.expectText('欢迎使用数字钱包');

  await w.open('/login');
  for (let remaining = 4; remaining >= 1; remaining--) {
    await w.logIn('139 1234 5678', 'Wrong2026x');
    await w.expectText(`还可以尝试 ${remaining} 次`);
  }
  await w.logIn('139 1234 5678', 'Wrong2026x');
  await w.expectError('W-ACC-LOCKED');
  await w.logIn('139 1234 5678', PASSWORD);
  await w.expectError('W-ACC-LOCKED');
  await w.screenshot('06-locked');

  await w.reload();
  await w.open('/login');
  await w.expectText('139****5678');
  await w.logIn('13912345678', PASSWORD);
  await w.expectError('W-ACC-LOCKED');
  await w.close();
});

test('register by email and use the English locale', async () => {
  const w = await h.wallet();
  await w.open('/register');
  // Switching language keeps what was typed.
  await w.field('真实姓名').fill('李华');
  await w.button('English').click();
  expect(await w.page.getByLabel('Real name', { exact: true }).inputValue(), 'name after switch').toBe('李华');
  await w.button('中文').click();
  await w.register({ login: 'Li.Hua@Example.com', name: '李华', password: PASSWORD });
  await w.expectText('注册成功，请登录。');
  expect(await w.field('手机号或邮箱').inputValue(), 'pre-filled login').toBe('li.hua@example.com');

  await w.button('English').click();
  await w.expectText('Log in to your wallet');
  await w.page.getByLabel('Mobile number or email', { exact: true }).fill('li.hua@example.com');
  await w.page.getByLabel('Password', { exact: true }).fill('Wrong2026x');
  await w.page.getByRole('button', { name: 'Log in', exact: true }).click();
  await w.expectText('Wrong password. 4 more attempts');
  await w.screenshot('07-english-error');
  await w.reload();
  await w.expectText('Log in to your wallet');
  expect(await w.page.locator('html').getAttribute('lang'), 'html lang').toBe('en');
  expect(await w.page.title(), "the tab's title follows the language").toBe('Digital Wallet Qianbao · Sandbox');
  await w.close();
});

test('bad input on every form gets a message and changes nothing', async () => {
  const w = await h.wallet();
  await w.open('/register');
  await w.field('手机号或邮箱').fill('13800138000');
  await w.button('获取验证码').click();
  await w.page.locator('.sent').waitFor();
  const before = await w.storage();
  const cases = [
    [{ login: 'not-an-address', code: '123456', name: '王芳', password: PASSWORD }, 'W-ID-PHONE'],
    [{ login: 'a@b', code: '123456', name: '王芳', password: PASSWORD }, 'W-ID-EMAIL'],
    [{ login: '13800138000', code: '123456', name: '王3', password: PASSWORD }, 'W-ID-NAME'],
    [{ login: '13800138000', code: '123456', name: '王芳', password: 'short1' }, 'W-PW-SHORT'],
    [{ login: '13800138000', code: '123456', name: '王芳', password: 'onlyletters' }, 'W-PW-MIX'],
    [{ login: '13800138000', code: '12ab', name: '王芳', password: PASSWORD }, 'W-CODE-FORMAT'],
    [{ login: '13900000000', code: '123456', name: '王芳', password: PASSWORD }, 'W-CODE-NONE'],
  ];
  for (const [form, code] of cases) {
    await w.field('手机号或邮箱').fill(form.login);
    await w.field('验证码').fill(form.code);
    await w.field('真实姓名').fill(form.name);
    await w.field('密码').fill(form.password);
    await w.button('注册').click();
    await w.expectError(code);
    expect(await w.storage(), `storage after ${code}`).toBe(before);
  }
  await w.open('/login');
  await w.logIn('', 'whatever1');
  await w.expectError('W-ID-EMPTY');
  await w.logIn('13700000000', 'whatever1');
  await w.expectError('W-ACC-UNKNOWN');
  expect(await w.storage(), 'storage after login errors').toBe(before);
  await w.close();
});

test('demo account in one click, settings, auto-lock after idle', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  await w.page.clock.install();
  await w.open('/');
  await w.button('一键创建演示账户').click();
  await w.expectText('演示账户已创建');
  const login = await w.page.locator('[data-wallet] [data-field=login]').innerText();
  const password = await w.page.locator('[data-wallet] [data-field=password]').innerText();
  expect(login, 'demo login').toContain('1700000');
  await w.screenshot('08-demo');
  await w.button('用演示账户登录').click();
  await w.expectText('你好，');

  await w.link('设置').click();
  await w.expectText('账户管理');
  await w.field('闲置自动锁定').selectOption('1');
  await w.screenshot('09-settings');
  await w.page.clock.fastForward('01:05');
  await w.expectText('钱包已锁定');
  await w.screenshot('10-lock-screen');
  await w.field('密码').fill('Wrong2026x');
  await w.button('解锁').click();
  await w.expectText('还可以尝试 4 次');
  await w.field('密码').fill(password);
  await w.button('解锁').click();
  await w.expectText('账户管理');
  await w.close();
});

test('damaged storage is reported, exported and kept aside', async () => {
  const w = await h.wallet();
  await w.open('/');
  await w.page.evaluate(() => localStorage.setItem('qianbao.state', '{"schema":1,"accounts":"oops"'));
  await w.reload();
  await w.expectText('本地数据无法读取');
  await w.expectError('W-STORE-CORRUPT');
  await w.screenshot('11-recovery');
  const download = w.page.waitForEvent('download');
  await w.button('导出损坏的数据').click();
  expect((await download).suggestedFilename(), 'export name').toBe('qianbao-damaged-data.json');
  expect(await w.page.evaluate(() => localStorage.getItem('qianbao.state')), 'untouched').toBe('{"schema":1,"accounts":"oops"');

  await w.button('保留副本并重新开始').click();
  await w.expectText('欢迎使用数字钱包');
  const kept = await w.page.evaluate(() =>
    Object.keys(localStorage).filter((k) => k.startsWith('qianbao.damaged.')).map((k) => localStorage.getItem(k)));
  expect(kept.length, 'kept copies').toBe(1);
  expect(JSON.parse(kept[0])['qianbao.state'], 'kept copy').toBe('{"schema":1,"accounts":"oops"');
  await w.close();
});

test('unknown paths show a page, not a crash', async () => {
  const w = await h.wallet();
  await w.open('/no/such/page?x=%E0%A4%A');
  await w.expectText('页面不存在');
  await w.open('/login?id=%3Cscript%3Ealert(1)%3C/script%3E');
  expect(await w.field('手机号或邮箱').inputValue(), 'prefill is text').toBe('<script>alert(1)</script>');
  await w.close();
});
