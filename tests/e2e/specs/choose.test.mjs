// F7 in the built site: 「选择钱包」 compares the providers on the article's
// four criteria, ranks them for what a person needs with the reasons, and
// registering with the one chosen makes its rules the wallet's.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';
import { luhn } from '../lib/cards.mjs';

const h = harness();


test('choose a wallet for a 邮储 card, HarmonyOS and 理财, register with it, and its rules apply', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  await w.open('/');
  await w.link('选择钱包').click();
  await w.expectText('并排比较');
  for (const row of ['功能多样性', '用户评价', '安全性', '兼容性']) {
    await w.page.getByRole('rowheader', { name: row }).waitFor();
  }
  const order = () => w.page.getByTestId('ranking').locator(':scope > li').evaluateAll((items) => items.map((li) => li.dataset.provider));
  expect((await order()).join(), 'nothing said yet').toBe('yi,jia,bing');

  await w.field('你的银行卡').selectOption({ label: '邮储银行' });
  await w.field('你的手机或设备').selectOption({ label: '鸿蒙' });
  await w.page.getByLabel('理财').check();
  await w.field('最看重').selectOption({ label: '安全性' });
  expect((await order()).join(), 'ranking for these needs').toBe('bing,yi,jia');
  const first = w.page.locator('[data-provider=bing]');
  await first.getByText('符合你的要求').waitFor();
  await first.getByText('✓ 支持你的邮储银行卡').waitFor();
  const yi = w.page.locator('[data-provider=yi]');
  await yi.getByText('不完全符合你的要求').waitFor();
  await yi.getByText('✗ 不提供理财').waitFor();
  await w.screenshot('40-chooser');

  await first.getByRole('link', { name: '选择丙钱包并注册' }).click();
  await w.expectText('注册数字钱包');
  expect(await w.field('钱包服务商').inputValue(), 'provider carried over').toBe('bing');
  await w.register({ login: '13912340000', name: '陈静', password: 'Sandbox2026x' });
  await w.expectText('注册成功，请登录。');
  await w.logIn('13912340000', 'Sandbox2026x');
  await w.page.getByTestId('balance').waitFor();
  expect(await w.page.getByRole('link', { name: '缴费', exact: true }).count(), '丙钱包 has no bill payment').toBe(0);

  await w.open('/settings');
  expect(await w.page.getByTestId('provider').innerText(), 'provider').toBe('丙钱包');
  // Its limits are the ones the top-up screen states and applies.
  await w.open('/top-up');
  await w.page.locator('#mv-limits').getByText('¥100,000.00').waitFor();
  // 丙钱包 takes a 邮储 card (甲钱包 would refuse it).
  await w.addCard(luhn('621799001234567'), '陈静');
  await w.expectText('银行卡已添加。');
  await w.open('/bills');
  await w.field('缴费项目').selectOption({ label: '电费' });
  await w.field('户号').fill('1234567890');
  await w.field('金额').fill('10');
  await w.button('下一步').click();
  await w.expectError('W-PROVIDER-FEATURE');
  await w.close();
});

test('甲钱包 refuses a 邮储 card with the reason and where to look', async () => {
  const w = await h.wallet();
  const demo = await w.createDemo();
  await w.signInAs(demo);
  await w.addCard(luhn('621799001234567'), demo.name);
  await w.expectError('W-PROVIDER-BANK');
  await w.expectText('你的钱包服务商不支持邮储银行的卡。');
  await w.expectText('选择钱包');
  await w.close();
});

test('an error links to the help entry that explains its code, in either language', async () => {
  const w = await h.wallet();
  await w.open('/register');
  await w.field('手机号或邮箱').fill('123 4567');
  await w.button('获取验证码').click();
  await w.expectError('W-ID-PHONE');
  await w.page.locator('.error-box').getByRole('link', { name: '帮助：注册与登录' }).click();
  await w.page.locator('article[data-topic=account]').waitFor();
  await w.expectText('本条目解释的错误码');
  const current = w.page.locator('.codes li.current');
  expect(await current.innerText(), 'the code asked about is marked').toBe('W-ID-PHONE');
  expect(await current.getAttribute('aria-current'), 'aria-current').toBe('true');

  // The article's FAQ, 三、1, lists WeChat's own codes.
  await w.link('全部帮助').click();
  await w.link('1. 为什么绑定时显示错误提示？').click();
  await w.expectText('建议使用 Wi-Fi 连接进行操作');
  for (const code of ['W-BIND-PERMISSION', 'W-BIND-MISMATCH', '40029', '-1']) {
    await w.page.locator(`#code-${code}`).waitFor();
  }
  await w.screenshot('41-help');
  await w.button('English').click();
  await w.expectText('Why does binding show an error?');
  await w.close();
});
