// F8 in the built site: 记账 — spending by category with a chart, a
// category changed by hand, cash written down, totals to the fen; 理财 —
// the published rate, money in and out through the ledger, and daily
// interest on the console's clock with the documented rounding.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';
import { luhn } from '../lib/cards.mjs';

const h = harness();


async function funded(w) {
  const user = await w.createDemo();
  await w.signInAs(user);
  await w.addCard(luhn('622202001234567'), user.name);
  await w.expectText('银行卡已添加。');
  await w.fillMovement('/top-up', { 金额: '1000' });
  await w.confirmMovement();
  return user;
}

test('记账: bills by category, one changed by hand, cash, totals to the fen', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  await funded(w);
  await w.fillMovement('/bills', { 缴费项目: '电费', 户号: '1234567890', 金额: '88.50' });
  await w.confirmMovement();
  await w.fillMovement('/bills', { 缴费项目: '话费', 户号: '13800138000', 金额: '50' });
  await w.confirmMovement();

  await w.open('/');
  await w.page.getByRole('link', { name: '记账' }).click();
  await w.page.getByTestId('chart').waitFor();
  const bars = () => w.page.locator('[data-testid=chart] g').evaluateAll((gs) => gs.map((g) => g.dataset.category + '=' + g.querySelector('.chart-value').textContent));
  expect((await bars()).join(), 'by category').toBe('utilities=¥88.50,telecom=¥50.00');
  expect(await w.page.getByTestId('wallet-spent').innerText(), 'wallet spent').toBe('¥138.50');

  // The phone bill was really a purchase: 购物.
  const phoneBill = w.page.locator('.book-entries li').filter({ hasText: '¥-50.00' }).or(w.page.locator('.book-entries li').filter({ hasText: '-¥50.00' }));
  await phoneBill.locator('select').selectOption({ label: '购物' });
  await w.page.locator('[data-category=shopping]').waitFor();
  expect(await w.page.getByTestId('wallet-spent').innerText(), 'the total does not move').toBe('¥138.50');

  await w.field('金额').fill('12.5');
  await w.field('分类').selectOption({ label: '交通' });
  await w.field('备注（选填）').fill('地铁');
  await w.button('记一笔').click();
  await w.page.getByTestId('cash-entries').getByText('地铁').waitFor();
  expect(await w.page.getByTestId('cash-spent').innerText(), 'cash').toBe('¥12.50');
  expect(await w.page.getByTestId('total-spent').innerText(), 'total').toBe('¥151.00');
  await w.field('金额').fill('-3');
  await w.button('记一笔').click();
  await w.expectError('W-AMT-NEGATIVE');
  await w.screenshot('50-books');
  await w.close();
});

test('理财: move money in, thirty day ends of interest on the console clock, move it all out', async () => {
  const w = await h.wallet();
  const user = await funded(w);
  await w.open('/savings');
  expect(await w.page.getByTestId('savings-rate').innerText(), 'published rate').toBe('1.80%');
  await w.field('金额').fill('500');
  await w.button('转入理财').click();
  await w.page.getByTestId('savings-balance').getByText('¥500.00').waitFor();
  await w.field('金额').fill('600');
  await w.button('转出理财').click();
  await w.expectError('W-SAVINGS-LOW');

  await w.open('/dev');
  await w.saved(() => w.button('快进 30 天').click());
  // Thirty idle days lock the wallet; the password opens it again.
  await w.open('/savings');
  await w.expectText('钱包已锁定');
  await w.field('密码').fill(user.password);
  await w.button('解锁').click();
  // floor(50,000 fen × 180 / 3,650,000) = 2 fen a day (2.47 with compounding,
  // still 2), for the 30 day ends passed.
  await w.page.getByTestId('savings-earned').getByText('¥0.60').waitFor();
  expect(await w.page.getByTestId('savings-balance').innerText(), 'balance').toBe('¥500.60');
  await w.screenshot('51-savings');
  await w.field('金额').fill('500.60');
  await w.button('转出理财').click();
  await w.page.getByTestId('savings-balance').getByText('¥0.00').waitFor();
  expect(await w.balance(), 'wallet after').toBe('¥1,000.60');
  const lines = await w.historyLines();
  expect(lines.slice(0, 2).map((l) => l.split('|')[0]).join(), 'history').toBe('转出理财,转入理财');
  await w.close();
});
