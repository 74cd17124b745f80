// F2 money, end to end in the built site: two users in one browser, a card,
// a top-up, a transfer, a bill, a reload — both balances and histories right;
// bad amounts, card numbers and payees change nothing; a double click moves
// money once; a full storage refuses the operation and loses nothing.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';
import { luhn } from '../lib/cards.mjs';

const h = harness();


const ICBC_DEBIT = luhn('6222020012345678');
const ICBC_CREDIT = luhn('6253300012345678');
const LAST4 = ICBC_DEBIT.slice(-4);

/** A new demo user, signed in, with an ICBC debit card. */
async function withCard(w) {
  const user = await w.createDemo();
  await w.signInAs(user);
  await w.addCard(ICBC_DEBIT, user.name);
  await w.expectText('银行卡已添加。');
  return user;
}

test('two users: card, top-up, transfer, bill, reload — balances and histories agree', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  const bob = await w.createDemo();
  const amy = await w.createDemo();
  await w.signInAs(amy);
  expect(await w.balance(), 'opening balance').toBe('¥0.00');

  await w.addCard(ICBC_DEBIT, amy.name);
  await w.expectText('银行卡已添加。');
  await w.expectText(`工商银行 借记卡 (**** ${LAST4})`);
  await w.screenshot('20-cards');

  await w.fillMovement('/top-up', { 金额: '500' });
  await w.expectText(`工商银行 借记卡 (**** ${LAST4})`);
  expect(await w.confirmMovement(), 'after top-up').toBe('¥500.00');

  await w.fillMovement('/transfer', { 收款人手机号或邮箱: bob.login, 金额: '123.45', '备注（选填）': '午饭' });
  const masked = '*'.repeat([...bob.name].length - 1) + [...bob.name].at(-1);
  await w.expectText(masked);
  expect(await w.page.getByTestId('review-amount').innerText(), 'review amount').toBe('¥123.45');
  await w.screenshot('21-transfer-review');
  expect(await w.confirmMovement(), 'after transfer').toBe('¥376.55');

  await w.fillMovement('/bills', { 缴费项目: '电费', 户号: '1234567890', 金额: '88.8' });
  await w.expectText('电费 1234567890');
  expect(await w.confirmMovement(), 'after bill').toBe('¥287.75');

  await w.reload();
  expect(await w.balance(), 'amy after reload').toBe('¥287.75');
  await w.screenshot('22-home-with-balance');
  expect(await w.historyLines(), 'amy history').toEqual(['缴费|-¥88.80', '转账|-¥123.45', '充值|+¥500.00']);
  await w.screenshot('23-history');
  await w.page.locator('.history li a').nth(1).click();
  await w.expectText('交易详情');
  await w.expectText('午饭');

  await w.logOut();
  await w.signInAs(bob);
  expect(await w.balance(), 'bob').toBe('¥123.45');
  expect(await w.historyLines(), 'bob history').toEqual(['收款|+¥123.45']);
  await w.field('类型').selectOption({ label: '缴费' });
  await w.expectText('暂无交易记录。');
  await w.close();
});

test('bad amounts, cards and payees get a message and change nothing', async () => {
  const w = await h.wallet();
  // Time passes between refusals on purpose, longer than activity is
  // coalesced: noticing the person's clicks writes nothing of the wallet.
  await w.page.clock.install();
  const later = () => w.page.clock.fastForward('00:06');
  const bob = await w.createDemo();
  const amy = await withCard(w);
  const before = await w.storage();

  for (const [amount, code] of [['-5', 'W-AMT-NEGATIVE'], ['1.234', 'W-AMT-DECIMALS'], ['1e3', 'W-AMT-EXPONENT'],
    ['abc', 'W-AMT-INVALID'], ['', 'W-AMT-EMPTY'], ['0', 'W-AMT-ZERO'], ['50000.01', 'W-LIMIT-SINGLE'],
    ['20000.01', 'W-CARD-FUNDS']]) {
    await w.fillMovement('/top-up', { 金额: amount });
    await w.expectError(code);
    await later();
  }
  for (const [number, holder, code] of [['6222020012345679', amy.name, 'W-CARD-LUHN'], ['4539148803436467', amy.name, 'W-CARD-BANK'],
    ['12345', amy.name, 'W-CARD-LENGTH'], [luhn('6222020099999999'), '欧阳娜娜', 'W-CARD-HOLDER'],
    [ICBC_DEBIT, amy.name, 'W-CARD-DUPLICATE']]) {
    await w.addCard(number, holder);
    await w.expectError(code);
    await later();
  }
  await w.addCard(ICBC_CREDIT, amy.name, { expiry: '12/30', cvv: '12' });
  await w.expectError('W-CARD-CVV');
  for (const [payee, code] of [['13712345678', 'W-PAYEE-UNKNOWN'], [amy.login, 'W-PAYEE-SELF'], ['12', 'W-ID-PHONE'], [bob.login, 'W-BALANCE-LOW']]) {
    await w.fillMovement('/transfer', { 收款人手机号或邮箱: payee, 金额: '1' });
    await w.expectError(code);
  }
  await w.fillMovement('/bills', { 缴费项目: '水费', 户号: '123', 金额: '1' });
  await w.expectError('W-BILL-ACCOUNT');
  await w.fillMovement('/withdraw', { 金额: '1' });
  await w.expectError('W-BALANCE-LOW');
  await w.screenshot('24-not-enough');
  expect(await w.storage(), 'storage after every refusal').toBe(before);
  await w.close();
});

test('a double click on 确认 moves money once', async () => {
  const w = await h.wallet();
  const amy = await withCard(w);
  await w.fillMovement('/top-up', { 金额: '10' });
  await w.button('确认').evaluate((b) => { b.click(); b.click(); b.click(); });
  await w.expectText('操作成功');
  expect(await w.balance(), 'balance').toBe('¥10.00');
  expect(await w.historyLines(), 'history').toEqual(['充值|+¥10.00']);
  await w.close();
});

test('a full storage refuses the operation and loses nothing', async () => {
  const w = await h.wallet();
  const amy = await withCard(w);
  await w.fillMovement('/top-up', { 金额: '10' });
  expect(await w.confirmMovement(), 'first top-up').toBe('¥10.00');

  await w.fillMovement('/top-up', { 金额: '20' });
  await w.page.evaluate(() => {
    let block = 'x'.repeat(1 << 20);
    for (let n = 0; block.length > 16; n++) {
      try { localStorage.setItem(`junk.${n}`, block); } catch { block = block.slice(0, block.length / 2); }
    }
  });
  await w.button('确认').click();
  await w.expectError('W-STORE-FULL');
  await w.screenshot('25-storage-full');
  expect(await w.balance(), 'balance while full').toBe('¥10.00');
  await w.reload();
  expect(await w.balance(), 'balance after reload').toBe('¥10.00');
  expect(await w.historyLines(), 'history after reload').toEqual(['充值|+¥10.00']);

  await w.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('junk.')).forEach((k) => localStorage.removeItem(k)));
  await w.fillMovement('/top-up', { 金额: '20' });
  expect(await w.confirmMovement(), 'after freeing space').toBe('¥30.00');
  await w.close();
});
