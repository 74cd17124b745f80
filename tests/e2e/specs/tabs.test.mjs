// Two tabs of one wallet pressing 「确认」 at the same moment, as a person
// with two windows open does: every top-up counts once, each with its own
// 交易单号, and the balance is the sum — also while a third tab reloads.
import { test } from 'node:test';
import { harness } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';
import { luhn } from '../lib/cards.mjs';

const h = harness();
const ICBC_DEBIT = luhn('6222020012345678');
const ROUNDS = Number(process.env.QIANBAO_TAB_ROUNDS ?? 100);

/** Yuan text "¥1,234.56" → fen. */
const fen = (text) => Math.round(Number(text.replace(/[¥,\s]/g, '')) * 100);


/**
 * A real click (the browser's own pointer events) at the middle of a
 * button. Headless Chromium draws a tab that is not in front at a lower
 * frame rate, and playwright's own `click` waits frames for the button to
 * settle; two windows side by side are both in front, so the click goes
 * straight to where the button is.
 */
async function press(tab, name) {
  const button = tab.button(name);
  await button.waitFor();
  const box = await button.boundingBox();
  await tab.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** Fills a top-up of `amount` and stops at 「请确认」. */
async function review(tab, amount) {
  if (await tab.button('再来一笔').count()) await press(tab, '再来一笔');
  await tab.field('金额').fill(amount);
  await press(tab, '下一步');
  await tab.page.getByTestId('review-amount').waitFor();
}

/** The receipt after 「确认」: 交易单号 and 当前余额. */
async function receipt(tab) {
  await tab.expectText('操作成功');
  return {
    entry: await tab.page.getByTestId('entry-no').innerText(),
    balance: fen(await tab.page.getByTestId('balance-after').innerText()),
  };
}

test(`${ROUNDS} rounds of two tabs confirming a top-up at once lose and duplicate nothing`, async () => {
  const a = await h.wallet();
  const user = await a.createDemo();
  await a.signInAs(user);
  await a.addCard(ICBC_DEBIT, user.name);
  await a.expectText('银行卡已添加。');
  const b = await a.otherTab(user);
  // A third tab that keeps reloading during the second half.
  const c = await a.otherTab(user);
  let reloading = false;
  let stop = false;
  const reloads = (async () => {
    let n = 0;
    // (Ends with the test, also when an assertion below failed first.)
    try {
      while (!stop) {
        if (reloading) {
          await c.page.reload();
          await c.page.locator('main').waitFor();
          n += 1;
        } else {
          await c.page.waitForFunction(() => true);
        }
      }
    } catch (error) {
      if (!stop) throw error;
    }
    return n;
  })();

  for (const tab of [a, b]) await tab.open('/top-up');
  const entries = new Set();
  let sum = 0;
  try {
  for (let round = 0; round < ROUNDS; round += 1) {
    reloading = round >= ROUNDS / 2;
    // Distinct amounts, so that the sum proves which top-ups counted.
    const amounts = [`${1 + round}.01`, `${1 + round}.02`];
    await review(a, amounts[0]);
    await review(b, amounts[1]);
    await Promise.all([press(a, '确认'), press(b, '确认')]);
    const [ra, rb] = await Promise.all([receipt(a), receipt(b)]);
    expect(ra.entry === rb.entry, `round ${round}: both tabs got 交易单号 ${ra.entry}`).toBe(false);
    for (const r of [ra, rb]) {
      expect(entries.has(r.entry), `round ${round}: 交易单号 ${r.entry} given twice`).toBe(false);
      entries.add(r.entry);
    }
    sum += fen(amounts[0]) + fen(amounts[1]);
    // The later of the two saw the earlier: its balance is the running sum.
    expect(Math.max(ra.balance, rb.balance), `round ${round}: balance after both`).toBe(sum);
  }
  } finally {
    stop = true;
  }
  const reloaded = await reloads;
  expect(reloaded > 0, 'the third tab reloaded meanwhile').toBe(true);

  // After a reload, every entry is there, once.
  await a.reload();
  const balance = fen(await a.balance());
  expect(balance, 'balance = the sum of every top-up').toBe(sum);
  await a.open('/history');
  await a.page.locator('main h1').waitFor();
  // 「加载更多」 until everything is listed.
  let shown = await a.page.locator('.history li').count();
  while (await a.button('加载更多').count()) {
    await a.button('加载更多').click();
    await a.page.waitForFunction((n) => document.querySelectorAll('.history li').length > n, shown);
    shown = await a.page.locator('.history li').count();
  }
  const lines = await a.page.locator('.history li .h-kind').allInnerTexts();
  const topUps = lines.filter((l) => l.startsWith('充值'));
  // The card's opening is not a top-up; every confirmed one is listed.
  expect(topUps.length, 'top-ups in 交易记录').toBe(2 * ROUNDS);
  expect(entries.size, 'distinct 交易单号').toBe(2 * ROUNDS);
  expect(b.pageErrors.join('\n'), 'tab B errors').toBe('');
  expect(c.pageErrors.join('\n'), 'tab C errors').toBe('');
  await a.close();
});
