// F9 guided mode, end to end in the built site: a new user switches the
// coach on and follows it — only ever clicking the control it highlights —
// through the article's 二 (bind to WeChat), 三.2 (pay a merchant with the
// bound wallet) and 三.3 (unbind). The coach notices each step from the
// state, survives a reload mid-way, and can be paused, resumed and left.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';

const h = harness();

/** The coach panel (a complementary landmark named 新手引导). */
const panel = (w, name = '新手引导') => w.page.getByRole('complementary', { name });

async function expectStep(w, step) {
  await w.page.locator(`#coach-step[data-step="${step}"]`).waitFor();
}

/** Waits until exactly the control `name` is highlighted and described by the step (an expect of its own would read a moment the page may be re-rendering). */
async function expectTarget(w, name) {
  // The page may re-render as its entry command lands: wait for the state
  // "exactly this one control highlighted", then check it.
  await w.page.waitForFunction((n) => {
    const marked = document.querySelectorAll('.coach-target');
    return marked.length === 1 && marked[0].closest(`[data-coach="${n}"]`) !== null
      && marked[0].getAttribute('aria-describedby') === 'coach-step';
  }, name);
}

async function noHighlight(w) {
  await w.page.waitForFunction(() => document.querySelector('.coach-target') === null);
}

/** Does what the coach says: clicks the highlighted control. */
async function follow(w) {
  await w.page.locator('.coach-target').click();
}

test('the coach walks a new user through binding, paying and unbinding', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  const demo = await w.createDemo();
  await w.button('新手引导').click();
  await panel(w).waitFor();
  await expectStep(w, 'sign-in');
  await expectTarget(w, 'demo-log-in');
  expect(await w.storage(), 'the preference is stored').toContain('qianbao.guide');
  await w.screenshot('60-coach-sign-in');
  await follow(w);

  // 二: 设置 → 绑定微信 → WeChat login → 允许 (+ 二次验证) → 绑定成功.
  await expectStep(w, 'start-binding');
  await expectTarget(w, 'settings');
  await follow(w);
  await w.expectText('账户管理');
  await expectTarget(w, 'bind-button');
  await w.screenshot('61-coach-bind-button');
  await follow(w);
  await w.page.waitForURL(/\/wechat\/connect\/oauth2\/authorize\?appid=/);
  await expectStep(w, 'wechat-log-in');
  await expectTarget(w, 'wechat-log-in');
  await w.field('微信号或手机号').fill(demo.wechat.wxid);
  await w.field('密码').fill(demo.wechat.password);
  await follow(w);
  await expectStep(w, 'approve');
  await expectTarget(w, 'allow');

  // Leave mid-way: a reload comes back to the same step, on the same control.
  await w.reload();
  await panel(w).waitFor();
  await expectStep(w, 'approve');
  await expectTarget(w, 'allow');
  await w.screenshot('62-coach-resumed-after-reload');
  await follow(w);
  await w.expectText('二次验证');
  await expectTarget(w, 'get-code');
  await follow(w);
  await w.page.locator('.sent').waitFor();
  await expectTarget(w, 'code-confirm');
  const code = await w.readCodeFromPhone();
  await w.closePhone();
  await w.field('验证码').fill(code);
  await follow(w);
  await w.page.waitForURL(/\/bind\/callback\?code=.+&state=.+/);
  await w.page.locator('main').getByText('绑定成功').waitFor();
  await expectStep(w, 'done');
  await noHighlight(w);
  await w.screenshot('63-coach-bound');

  // 三.2: the wallet is empty, so a card and a top-up come first.
  await panel(w).getByRole('button', { name: '下一段：用钱包付款（三.2）' }).click();
  await expectStep(w, 'add-card');
  await panel(w).getByRole('link', { name: '去添加银行卡' }).click();
  await expectTarget(w, 'add-card');
  await w.field('卡号').fill('62220200123456782');
  await w.field('持卡人').fill(demo.name);
  await follow(w);
  await expectStep(w, 'top-up');
  await panel(w).getByText('至少 ¥16.50').waitFor();
  await panel(w).getByRole('link', { name: '去充值' }).click();
  await expectTarget(w, 'top-up-next');
  await w.field('金额').fill('100');
  await follow(w);
  await expectTarget(w, 'top-up-confirm');
  await follow(w);
  await w.expectText('操作成功');
  await expectStep(w, 'checkout');
  await expectTarget(w, 'nav-shop');
  await w.screenshot('64-coach-checkout');
  await follow(w);
  await expectTarget(w, 'shop');
  await follow(w);
  await expectTarget(w, 'add-to-cart');
  await follow(w);
  await expectTarget(w, 'checkout');
  await follow(w);
  await expectTarget(w, 'wechat-pay');

  // Pause, reload: still paused, nothing highlighted; resume where it was.
  await panel(w).getByRole('button', { name: '暂停' }).click();
  await w.page.locator('.coach.paused').waitFor();
  await noHighlight(w);
  await w.reload();
  await panel(w).getByText('新手引导已暂停').waitFor();
  await w.screenshot('65-coach-paused');
  await panel(w).getByRole('button', { name: '继续' }).click();
  // The order exists now: the coach points at the cashier for it.
  await expectStep(w, 'confirm-pay');
  await panel(w).getByRole('link', { name: '回到收银台' }).click();
  await w.page.waitForURL(/\/wechat\/pay\?/);
  await w.expectText('数字钱包（余额 ¥100.00）');
  await expectTarget(w, 'confirm-pay');
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.screenshot('66-coach-cashier');
  await follow(w);
  await w.page.locator('main').getByText('支付成功').waitFor();
  await expectStep(w, 'done');

  // 三.3: 设置 → 绑定管理 → 解除绑定 → 确认.
  await panel(w).getByRole('button', { name: '下一段：解除绑定（三.3）' }).click();
  await expectStep(w, 'unbind');
  await panel(w).getByRole('link', { name: '去绑定管理' }).click();
  await expectTarget(w, 'unbind');
  await follow(w);
  await expectTarget(w, 'unbind-confirm');
  await w.screenshot('67-coach-unbind-confirm');
  await follow(w);
  await w.expectText('已解除绑定。');
  await expectStep(w, 'done');
  await panel(w).getByText('三段引导都完成了').waitFor();
  await w.screenshot('68-coach-all-done');
  await panel(w).getByRole('button', { name: '退出引导' }).click();
  expect(await panel(w).count(), 'the coach is gone').toBe(0);
  expect(await w.storage(), 'and forgotten').notToContain('qianbao.guide');
  await w.close();
});

test('from the help centre, in English, the coach asks to sign in first', async () => {
  const w = await h.wallet();
  await w.open('/help');
  await w.page.getByRole('button', { name: 'English' }).click();
  await w.button('Guided mode').click();
  await panel(w, 'Guided mode').waitFor();
  await expectStep(w, 'sign-in');
  await panel(w, 'Guided mode').getByText('Log in to the wallet').waitFor();
  // Not on the wallet's pages: a link takes the user there.
  await panel(w, 'Guided mode').getByRole('link', { name: 'Go to the wallet' }).click();
  await expectTarget(w, 'log-in');
  const chinese = await w.page.evaluate(() =>
    (document.querySelector('.coach').innerText.match(/[\u3400-\u9fff\uff01-\uff5e「」]+/g) ?? []));
  expect(chinese.join(' '), 'the panel has no Chinese left in English').toBe('');
  // Keyboard: 「找到这一步」 moves the focus to the highlighted control.
  await panel(w, 'Guided mode').getByRole('button', { name: 'Show me where' }).click();
  await w.page.waitForFunction(() => document.activeElement?.classList.contains('coach-target'));
  await w.screenshot('69-coach-english');
  // The start button is hidden while the coach is on.
  expect(await w.button('Guided mode').count(), 'no second start button').toBe(0);
  await w.close();
});
