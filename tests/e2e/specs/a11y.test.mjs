// Accessibility: axe-core (WCAG 2.x A/AA rules) on every screen, signed out
// and signed in, in both languages and on a phone-sized screen: no serious
// or critical violations. (The context bypasses the Content-Security-Policy
// only so that axe's own script can be injected.)
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const h = harness();

async function violations(w, path) {
  await w.open(path);
  await w.page.waitForTimeout(150);
  await w.page.addScriptTag({ path: AXE });
  return w.page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

const SIGNED_OUT = ['/', '/login', '/register', '/choose', '/help', '/help/bind-errors', '/phone/', '/wechat/', '/wechat/register', '/wechat/scan', '/shop/', '/shop/cafe', '/dev', '/no-such-page'];
const SIGNED_IN = ['/', '/settings', '/cards', '/top-up', '/transfer', '/bills', '/to-wechat', '/history', '/books', '/savings', '/settings/bindings'];

for (const [locale, viewport] of [['zh-CN', PHONE_VIEWPORT], ['en', { width: 1280, height: 800 }]]) {
  test(`no serious accessibility violations (${locale}, ${viewport.width}px)`, async () => {
    const w = await h.wallet({ bypassCSP: true, viewport });
    await w.open('/');
    if (locale === 'en') await w.button('English').click();
    const found = [];
    for (const path of SIGNED_OUT) {
      found.push(...(await violations(w, path)).map((v) => `${path}: ${v}`));
      if (locale === 'en') {
        // Complete in English: no Chinese left on a signed-out screen but
        // the language switch's own 「中文」 and names that are Chinese.
        const chinese = await w.page.evaluate(() =>
          (document.body.innerText.match(/[\u3400-\u9fff\uff01-\uff5e「」]+/g) ?? []).filter((t) => t !== '中文'));
        if (chinese.length) found.push(`${path}: untranslated ${chinese.join(' ')}`);
      }
    }
    // The page objects speak Chinese: sign in in Chinese, then switch back.
    if (locale === 'en') await w.button('中文').click();
    const demo = await w.createDemo();
    await w.signInAs(demo);
    if (locale === 'en') await w.button('English').click();
    for (const path of SIGNED_IN) found.push(...(await violations(w, path)).map((v) => `${path}: ${v}`));
    // The unlock screen of the encrypted data, after 「立即锁定」.
    await w.open('/settings');
    await w.button(locale === 'en' ? 'Lock now' : '立即锁定').click();
    await w.page.locator('#unlock-password').waitFor();
    found.push(...(await violations(w, '/')).map((v) => `unlock screen: ${v}`));
    expect(await w.page.locator('#unlock-password').count(), 'the unlock screen').toBe(1);
    expect(found.join('\n'), 'violations').toBe('');
    await w.close();
  });
}

/** Presses Tab until the element with `id` has the focus (at most 40 times). */
async function tabTo(w, id) {
  for (let i = 0; i < 40; i++) {
    if ((await w.page.evaluate(() => document.activeElement?.id)) === id) return;
    await w.page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

test('keyboard alone: skip link, log in, top up', async () => {
  const w = await h.wallet();
  const demo = await w.createDemo();
  await w.open('/login');
  await w.page.keyboard.press('Tab');
  expect(await w.page.evaluate(() => document.activeElement?.className), 'first stop').toBe('skip');
  await tabTo(w, 'login-id');
  await w.page.keyboard.type(demo.login);
  await w.page.keyboard.press('Tab');
  await w.page.keyboard.type(demo.password);
  await w.page.keyboard.press('Enter');
  await w.page.getByTestId('balance').waitFor();
  await w.open('/cards');
  await tabTo(w, 'card-number');
  await w.page.keyboard.type('6222020012345671');
  await w.page.keyboard.press('Tab');
  await w.page.keyboard.type(demo.name);
  await w.page.keyboard.press('Enter');
  await w.expectText('银行卡已添加。');
  await w.open('/top-up');
  await tabTo(w, 'mv-amount');
  await w.page.keyboard.type('100');
  await w.page.keyboard.press('Enter');
  await w.page.getByRole('button', { name: '确认', exact: true }).focus();
  await w.page.keyboard.press('Enter');
  await w.expectText('操作成功');
  await w.close();
});
