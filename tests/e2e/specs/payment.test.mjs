// F4 paying with the bound wallet, end to end in the built site, as the
// article's 三.2 says: a merchant → 「微信支付」 → the cashier lists the bound
// wallet → check the amount → 「确认支付」 with the payment password →
// 「支付成功」; the merchant shows the order paid and the wallet's history
// the purchase. Plus the merchant that asks for the extra confirmation, not
// enough balance, and paying after unbinding.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';

const h = harness();

/** A demo user with ¥`yuan` in the wallet, bound to the matching WeChat account. */

test('pay a merchant with the bound wallet: 微信支付 → 确认支付 → 支付成功', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  const demo = await w.signedInDemo({ money: 100, bound: true });
  const orderNo = await w.checkout('cafe', ['latte', 'latte', 'croissant']);
  expect(await w.page.getByTestId('pay-amount').innerText(), 'amount').toBe('¥72.50');
  await w.expectText('数字钱包（余额 ¥100.00）');
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.screenshot('40-cashier');
  await w.button('确认支付').click();
  await w.expectText('支付成功');
  await w.screenshot('41-paid');
  await w.link('返回商家').click();
  await w.page.locator(`[data-order="${orderNo}"][data-state=SUCCESS]`).waitFor();
  expect(await w.balance(), 'wallet after').toBe('¥27.50');
  expect((await w.historyLines())[0], 'history').toBe('微信支付消费|-¥72.50');
  await w.expectText(`街角咖啡 · 餐饮 · ${orderNo}`);

  // The merchant refunds part of it, back to the wallet; never more than paid.
  await w.open('/shop/cafe/orders');
  const row = w.page.locator(`[data-order="${orderNo}"]`);
  await row.locator('input').fill('20');
  await row.getByRole('button', { name: '退款' }).click();
  await w.page.locator(`[data-order="${orderNo}"][data-state=REFUND]`).waitFor();
  await w.screenshot('44-refund');
  // After a first refund the form starts empty: a second click landing on
  // the redrawn form refunds nothing by itself.
  expect(await row.locator('input').inputValue(), 'empty after a refund').toBe('');
  await row.locator('input').fill('60');
  await row.getByRole('button', { name: '退款' }).click();
  await w.expectError('W-REFUND-AMOUNT');
  expect(await w.balance(), 'wallet after the refund').toBe('¥47.50');
  expect((await w.historyLines())[0], 'refund in history').toBe('退款|+¥20.00');
  // The console repeats the notification: the merchant processes it once.
  await w.open('/dev');
  await w.expectText('notify_url');
  await w.button('重发通知').first().click();
  await w.page.locator('text=duplicate: already processed').first().waitFor();
  await w.button('重发通知').first().click();
  await w.page.waitForFunction(() => document.body.innerText.split('duplicate: already processed').length > 2);
  await w.open('/shop/cafe/orders');
  expect(await w.page.getByTestId('notified').innerText(), 'merchant').toBe('收到支付通知 3 次，已处理一次');
  await w.close();
});

test('a flagged merchant asks the wallet to confirm; cancelling moves nothing', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo({ money: 3000, bound: true });
  const orderNo = await w.checkout('digital', ['tablet']);
  const cashier = new URL(w.page.url());
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectText('数字钱包：请再次确认支付信息');
  await w.screenshot('42-extra-confirmation');
  await w.button('取消').click();
  expect(await w.balance(), 'nothing moved').toBe('¥3,000.00');
  await w.open('/shop/digital/orders');
  await w.page.locator(`[data-order="${orderNo}"][data-state=NOTPAY]`).waitFor();
  await w.open(cashier.pathname + cashier.search);
  await w.page.getByTestId('pay-amount').waitFor();
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.field('数字钱包密码').fill(demo.password);
  await w.button('确认').click();
  await w.expectText('支付成功');
  expect(await w.balance(), 'after paying').toBe('¥401.00');
  await w.close();
});

test('not enough balance, and no wallet offered after unbinding', async () => {
  const w = await h.wallet();
  await w.page.clock.install();
  const demo = await w.signedInDemo({ money: 0, bound: true });
  await w.checkout('books', ['novel']);
  // The cashier's refusals write nothing, byte for byte, however long the
  // person takes between them.
  const before = await w.storage();
  await w.button('确认支付').click();
  await w.expectError('WX-PAY-PASSWORD-EMPTY');
  await w.page.clock.fastForward('00:06');
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectError('NOTENOUGH');
  expect(await w.storage(), 'storage after the refusals').toBe(before);
  await w.screenshot('43-not-enough');
  await w.open('/settings/bindings');
  await w.button('解除绑定').click();
  await w.button('确认').click();
  await w.expectText('已解除绑定。');
  await w.checkout('books', ['atlas']);
  await w.expectText('零钱（余额 ¥0.00）');
  expect(await w.page.getByText('数字钱包（余额').count(), 'wallet no longer offered').toBe(0);
  await w.close();
});

test('an order whose time ran out is closed: ORDER_CLOSED, nothing charged', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo({ money: 100, bound: true });
  const orderNo = await w.checkout('cafe', ['americano']);
  const cashier = new URL(w.page.url());
  // The console's clock: two hours later, past the cafe's 15 minutes.
  await w.open('/dev');
  await w.button('快进 2 小时').click();
  await w.expectText('快进了 120 分钟');
  // Two idle hours locked the wallet, and with it this device's encrypted
  // sandbox: the password opens it again.
  await w.open(cashier.pathname + cashier.search);
  await w.expectText('钱包已锁定');
  await w.field('密码').fill(demo.password);
  await w.button('解锁').click();
  await w.expectError('ORDER_CLOSED');
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectError('ORDER_CLOSED');
  expect(await w.balance(), 'nothing charged').toBe('¥100.00');
  await w.open('/shop/cafe/orders');
  await w.page.locator(`[data-order="${orderNo}"][data-state=CLOSED]`).waitFor();
  await w.close();
});

test('scan to pay: the merchant\'s QR code, WeChat 「扫一扫」, the cashier', async () => {
  const w = await h.wallet({ viewport: { width: 390, height: 844 } });
  const demo = await w.signedInDemo({ money: 100, bound: true });
  await w.open('/shop/books');
  await w.page.locator('[data-sku=atlas]').getByRole('button', { name: '加入购物车' }).click();
  await w.button('去结算').click();
  await w.page.locator('.qr svg').waitFor();
  const link = await w.page.getByTestId('pay-link').innerText();
  const orderNo = await w.page.getByTestId('order-no').innerText();
  expect(link, 'pay link').toContain(`/wechat/pay?mch=books&out_trade_no=${orderNo}`);
  await w.screenshot('46-qr');
  await w.open('/wechat/');
  await w.link('扫一扫').click();
  await w.field('二维码内容或链接').fill('http://evil.example.com/wechat/pay?mch=books&out_trade_no=' + orderNo);
  await w.button('识别').click();
  await w.expectError('W-SCAN-INVALID');
  await w.field('二维码内容或链接').fill(link);
  await w.button('识别').click();
  await w.page.getByTestId('pay-amount').waitFor();
  expect(await w.page.getByTestId('pay-amount').innerText(), 'amount').toBe('¥68.00');
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectText('支付成功');
  await w.close();
});

test('pay from 零钱 after 「转入微信零钱」', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo({ money: 50, bound: true });
  await w.fillMovement('/to-wechat', { 金额: '20' });
  expect(await w.confirmMovement(), 'wallet after moving to 零钱').toBe('¥30.00');
  await w.checkout('cafe', ['croissant']);
  await w.page.getByLabel('零钱（余额 ¥20.00）').check();
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectText('支付成功');
  expect(await w.balance(), 'the wallet did not pay').toBe('¥30.00');
  await w.open('/wechat/');
  expect(await w.page.getByTestId('change').innerText(), '零钱 after').toBe('¥3.50');
  // The cashier remembers 零钱 for next time.
  await w.checkout('cafe', ['croissant']);
  expect(await w.page.getByLabel('零钱（余额 ¥3.50）').isChecked(), '零钱 preselected').toBe(true);
  await w.close();
});

test('WeChat Pay answering 系统繁忙 is PAYERROR; paying again succeeds once', async () => {
  const w = await h.wallet();
  const demo = await w.signedInDemo({ money: 100, bound: true });
  const orderNo = await w.checkout('cafe', ['latte']);
  const cashier = new URL(w.page.url());
  await w.injectFaults({ busy: 1 });
  await w.open(cashier.pathname + cashier.search);
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectError('-1');
  await w.open('/shop/cafe/orders');
  await w.page.locator(`[data-order="${orderNo}"][data-state=PAYERROR]`).waitFor();
  await w.open(cashier.pathname + cashier.search);
  await w.field('支付密码').fill(demo.wechat.payPassword);
  await w.button('确认支付').click();
  await w.expectText('支付成功');
  expect(await w.balance(), 'charged once').toBe('¥72.00');
  await w.close();
});
