// The storage damage matrix, driven as a person with devtools (or a
// half-restored backup) would: every stored value of a real sealed wallet
// changed one character at a time in every field (start, middle, end), cut,
// emptied, deleted, replaced by its own older copy, swapped with another
// chunk or taken from another wallet. Each must show the recovery screen
// with its own code — before any password is asked — export every stored
// value whole, write nothing, and keep all of it aside on a fresh start. A
// whole store rolled back to an older copy is not damage.
import { test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { harness } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';
import { Wallet } from '../lib/wallet.mjs';
import { luhn } from '../lib/cards.mjs';

const h = harness();
const ICBC_DEBIT = luhn('6222020012345678');
const HEAD = 'qianbao.state';
const isStateKey = (k) => k === HEAD || k.startsWith('qianbao.journal.');

/** The state's stored values, as an object from key to text. */
async function stateOf(w) {
  const all = JSON.parse(await w.storage());
  return Object.fromEntries(all.filter(([k]) => isStateKey(k)));
}

/** `n` top-ups of ¥1 on the open top-up screen. */
async function topUps(w, n) {
  await w.open('/top-up');
  for (let i = 0; i < n; i += 1) {
    const again = w.button('再来一笔');
    if (await again.count()) await again.click();
    await w.field('金额').fill('1');
    await w.button('下一步').click();
    await w.button('确认').click();
    await w.expectText('操作成功');
  }
}

/** A signed-in demo wallet with a card and `n` top-ups; its password. */
async function walletWith(n) {
  const w = await h.wallet();
  const user = await w.createDemo();
  await w.signInAs(user);
  await w.addCard(ICBC_DEBIT, user.name);
  await w.expectText('银行卡已添加。');
  await topUps(w, n);
  return { w, user };
}

/** Another character of the same kind at `i`. */
function changeAt(text, i) {
  const c = text[i];
  let to;
  if (c >= '0' && c <= '8') to = String.fromCharCode(c.charCodeAt(0) + 1);
  else if (c === '9') to = '0';
  else if (c >= 'a' && c <= 'e') to = String.fromCharCode(c.charCodeAt(0) + 1);
  else if (c === 'f') to = 'a';
  else to = c === 'x' ? 'y' : 'x';
  return text.slice(0, i) + to + text.slice(i + 1);
}

/** Every leaf field of a stored value: [name, start, end) of its text. */
function fields(text) {
  const out = [];
  for (const m of text.matchAll(/"([a-z_]+)":("([^"]*)"|(-?\d+))/g)) {
    const quoted = m[3] !== undefined;
    const start = m.index + m[1].length + 3 + (quoted ? 1 : 0);
    const length = quoted ? m[3].length : m[4].length;
    if (length > 0) out.push([m[1], start, start + length]);
  }
  return out;
}

/** Opens a fresh tab on `stored` (nothing else in its storage). */
async function openOn(stored) {
  const w = await h.wallet();
  await w.open('/');
  await w.page.evaluate((values) => {
    localStorage.clear();
    for (const [k, v] of Object.entries(values)) localStorage.setItem(k, v);
  }, stored);
  await w.reload();
  return w;
}

/** Which screen shows: the recovery screen's code, or 'unlock'. */
async function screen(w) {
  await w.page.locator('.recovery .error-box, #unlock-password').first().waitFor();
  if (await w.page.locator('#unlock-password').count()) return 'unlock';
  return w.page.locator('.recovery .error-box').getAttribute('data-code');
}

test('every damaged, deleted, cut, stale, swapped or foreign stored value shows the recovery screen', async () => {
  // A real sealed wallet across two journal chunks, and an older copy of it.
  const { w: source, user } = await walletWith(60);
  const older = await stateOf(source);
  await topUps(source, 50);
  const newer = await stateOf(source);
  const balance = await source.balance();
  expect(Object.keys(newer).sort().join(), 'stored keys').toBe('qianbao.journal.0,qianbao.journal.1,qianbao.state');
  await source.close();
  const { w: otherSource } = await walletWith(101);
  const other = await stateOf(otherSource);
  await otherSource.close();

  const cases = [];
  for (const key of Object.keys(newer)) {
    const value = newer[key];
    for (const [name, start, end] of fields(value)) {
      for (const at of new Set([start, Math.floor((start + end - 1) / 2), end - 1])) {
        cases.push([`${key} ${name} char ${at - start}`, { ...newer, [key]: changeAt(value, at) }, 'W-STORE-CORRUPT']);
      }
    }
    cases.push([`${key} cut in half`, { ...newer, [key]: value.slice(0, value.length / 2) }, 'W-STORE-CORRUPT']);
    cases.push([`${key} cut by one`, { ...newer, [key]: value.slice(0, -1) }, 'W-STORE-CORRUPT']);
    cases.push([`${key} emptied`, { ...newer, [key]: '' }, 'W-STORE-CORRUPT']);
    const without = { ...newer };
    delete without[key];
    cases.push([`${key} deleted`, without, 'W-STORE-MISSING']);
    if (older[key] && older[key] !== value) {
      cases.push([`${key} replaced by its older copy`, { ...newer, [key]: older[key] }, 'W-STORE-STALE']);
    }
    if (key !== HEAD) {
      const swap = key.endsWith('.0') ? 'qianbao.journal.1' : 'qianbao.journal.0';
      cases.push([`${key} swapped with ${swap}`, { ...newer, [key]: newer[swap], [swap]: value }, 'W-STORE-FOREIGN']);
    }
    cases.push([`${key} from another wallet`, { ...newer, [key]: other[key] }, 'W-STORE-FOREIGN']);
  }
  cases.push(['a history part left beyond the end', { ...newer, 'qianbao.journal.5': other['qianbao.journal.1'] }, 'W-STORE-FOREIGN']);

  const tally = {};
  for (const [what, stored, code] of cases) {
    const w = await openOn(stored);
    const shown = await screen(w);
    expect(shown, `${what}: the screen`).toBe(code);
    await w.expectText('本地数据无法读取');
    // The export holds every stored value exactly as found.
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.button('导出损坏的数据').click()]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    expect(JSON.stringify(exported, Object.keys(exported).sort()), `${what}: export`).toBe(JSON.stringify(stored, Object.keys(stored).sort()));
    // Showing the screen and exporting wrote nothing.
    expect(JSON.stringify(await stateOf(w)), `${what}: storage untouched`).toBe(JSON.stringify(Object.fromEntries(Object.entries(stored).sort())));
    // A further command — a deep link to 「充值」, a reload — still meets the
    // recovery screen, and still nothing is written (every fifth case).
    if (Object.values(tally).reduce((a, b) => a + b, 0) % 5 === 0) {
      await w.open('/top-up');
      expect(await screen(w), `${what}: after a deep link`).toBe(code);
      expect(JSON.stringify(await stateOf(w)), `${what}: still untouched`).toBe(JSON.stringify(Object.fromEntries(Object.entries(stored).sort())));
    }
    tally[code] = (tally[code] ?? 0) + 1;
    await w.close();
  }
  console.log(`damage matrix: ${cases.length} cases`, tally);

  // 「保留副本并重新开始」 keeps every value aside, whole, and starts afresh.
  const kept = cases.find(([what]) => what === 'qianbao.state replaced by its older copy');
  const w = await openOn(kept[1]);
  expect(await screen(w), 'stale head').toBe('W-STORE-STALE');
  await w.screenshot('40-recovery-stale');
  await w.button('保留副本并重新开始').click();
  await w.expectText('欢迎使用数字钱包');
  const after = JSON.parse(await w.storage());
  expect(after.filter(([k]) => isStateKey(k)).length, 'state keys after a fresh start').toBe(0);
  const copy = after.find(([k]) => k.startsWith('qianbao.damaged.'));
  expect(JSON.stringify(JSON.parse(copy[1])), 'the copy kept aside').toBe(JSON.stringify(kept[1]));
  await w.close();

  // 「导入备份」 on the recovery screen: a bad file says so and changes
  // nothing; a whole export brings the wallet back.
  const restore = await openOn(cases.find(([what]) => what === 'qianbao.journal.0 deleted')[1]);
  expect(await screen(restore), 'deleted chunk').toBe('W-STORE-MISSING');
  const before = await stateOf(restore);
  const offer = (name, text) => restore.page.locator('#recovery-import').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  for (const [name, text, code] of [
    ['empty.json', '', 'W-IMPORT-EMPTY'],
    ['page.html', '<!doctype html><title>Qianbao</title>', 'W-IMPORT-FORMAT'],
    ['cut.json', JSON.stringify(newer).slice(0, 500), 'W-IMPORT-FORMAT'],
    ['altered.json', JSON.stringify({ ...newer, [HEAD]: changeAt(newer[HEAD], 40) }), 'W-IMPORT-DAMAGED'],
  ]) {
    await offer(name, text);
    await restore.expectError(code);
    expect(JSON.stringify(await stateOf(restore)), `${name}: storage untouched`).toBe(JSON.stringify(before));
  }
  await restore.expectText('所选的导出文件已损坏或被改动，没有导入任何内容。');
  await offer('backup.json', JSON.stringify(newer));
  await restore.expectText('钱包已锁定');
  await restore.field('密码').fill(user.password);
  await restore.button('解锁').click();
  await restore.page.getByTestId('balance').waitFor();
  expect(await restore.page.getByTestId('balance').innerText(), 'the balance of the backup').toBe(balance);
  await restore.close();

  // A whole store rolled back to an older copy is one committed save.
  const rolled = await openOn(older);
  expect(await screen(rolled), 'an older whole copy').toBe('unlock');
  await rolled.field('密码').fill(user.password);
  await rolled.button('解锁').click();
  await rolled.page.getByTestId('balance').waitFor();
  expect(await rolled.page.getByTestId('balance').innerText() !== balance, 'the older balance').toBe(true);
  await rolled.close();
});

test('the recovery screen speaks English too', async () => {
  const { w, user } = await walletWith(2);
  const stored = await stateOf(w);
  await w.close();
  const en = await h.wallet({ locale: 'en-US' });
  await en.open('/');
  await en.page.evaluate((values) => {
    for (const [k, v] of Object.entries(values)) localStorage.setItem(k, v);
    localStorage.setItem('qianbao.locale', '"en"');
    localStorage.removeItem('qianbao.journal.0');
  }, stored);
  await en.reload();
  await en.expectError('W-STORE-MISSING');
  await en.expectText('Part of the saved data is missing');
  await en.screenshot('41-recovery-missing-en');
  await en.close();
  expect(user.password.length > 0, 'password').toBe(true);
});
