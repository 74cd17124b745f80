// F6 in the built site: two-step verification with an authenticator app
// (RFC 6238), recovery codes, and what localStorage may hold.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';
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
  const codes = await w.page.getByTestId('recovery-codes').locator('li').allInnerTexts();
  expect(codes.length, 'recovery codes').toBe(10);
  await w.expectText('已开启');
  await w.screenshot('31-two-factor-on');
  const stored = await w.storage();
  for (const code of codes) expect(stored, 'localStorage').notToContain(code.replace(/-/g, ''));
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
