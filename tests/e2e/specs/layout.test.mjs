// What a person meets on a phone-sized screen: the floating 📱 button never
// sits on the end of a page (the recent transactions' amounts), and
// 「选择钱包」 is in reach while signed in.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';

const h = harness();

test('at 390 px the phone button covers none of the recent transactions', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  await w.signedInDemo({ money: 100 });
  for (const amount of ['20', '3']) {
    await w.fillMovement('/top-up', { 金额: amount });
    await w.confirmMovement();
  }
  await w.open('/');
  await w.page.locator('.history li').first().waitFor();
  // At every scroll position, from the top to the end of the page.
  const covered = await w.page.evaluate(async () => {
    const hits = new Set();
    for (let y = 0; y <= document.body.scrollHeight; y += 20) {
      window.scrollTo(0, y);
      await new Promise(requestAnimationFrame);
      const button = document.querySelector('.phone-toggle').getBoundingClientRect();
      for (const e of document.querySelectorAll('main .h-amount, main button, main a')) {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && r.left < button.right && button.left < r.right && r.top < button.bottom && button.top < r.bottom) {
          hits.add(`${e.textContent.trim()} at ${y}`);
        }
      }
    }
    return [...hits];
  });
  expect(covered.join(' | '), 'under the phone button').toBe('');
  // The button still says what it is.
  expect(await w.page.getByRole('button', { name: /手机/ }).count(), 'named for screen readers').toBe(1);
  await w.screenshot('70-phone-button-390');
  await w.close();
});

test('「选择钱包」 is in reach from settings while signed in', async () => {
  const w = await h.wallet();
  await w.signedInDemo();
  await w.open('/settings');
  await w.link('选择钱包').click();
  await w.expectText('功能多样性');
  await w.close();
});
