// F3/F5 binding, end to end in the built site, following the article's
// section 二 word for word: 设置 → 账户管理 → 绑定微信 → WeChat login →
// 允许 (+ 二次验证) → 绑定成功. Then every failure of 三.1 — denial,
// permission off, information mismatch, network failure — and unbinding from
// either side (三.3), and rebinding.
import { test } from 'node:test';
import { harness, PHONE_VIEWPORT } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';

const h = harness();

async function signedInDemo(w) {
  const demo = await w.createDemo();
  await w.signInAs(demo);
  return demo;
}

/** A signed-in demo user whose wallet is bound to the matching WeChat account. */
async function boundDemo(w) {
  const demo = await signedInDemo(w);
  await w.startBinding();
  await w.wechatLogIn(demo.wechat);
  await w.allow();
  await w.expectText('绑定成功');
  return demo;
}

async function bindingStatus(w) {
  await w.open('/settings/bindings');
  await w.page.locator('[data-binding]').waitFor();
  // Opening the page checks the binding with WeChat: wait for that to land.
  await w.settled();
  return w.page.locator('[data-binding]').getAttribute('data-binding');
}

test('the article\'s steps bind the wallet to WeChat', async () => {
  const w = await h.wallet({ viewport: PHONE_VIEWPORT });
  const demo = await signedInDemo(w);
  await w.startBinding();
  const url = new URL(w.page.url());
  expect(url.searchParams.get('response_type'), 'response_type').toBe('code');
  expect(url.searchParams.get('scope'), 'scope').toBe('snsapi_userinfo');
  expect(url.searchParams.get('redirect_uri'), 'redirect_uri').toBe(`${new URL(w.page.url()).origin}/bind/callback`);
  expect(url.hash, 'fragment').toBe('#wechat_redirect');
  await w.wechatLogIn(demo.wechat);
  await w.expectText('「数字钱包」申请使用你的微信账号');
  await w.screenshot('30-consent');
  await w.button('允许').click();
  await w.expectText('二次验证');
  await w.button('获取验证码').click();
  await w.page.locator('.sent').waitFor();
  const code = await w.readCodeFromPhone();
  await w.closePhone();
  await w.field('验证码').fill(code);
  await w.screenshot('31-second-factor');
  await w.button('确认').click();
  await w.page.waitForURL(/\/bind\/callback\?code=.+&state=.+/);
  await w.expectText('绑定成功');
  expect(await w.page.locator('[data-field=nickname]').innerText(), 'nickname').toBe(demo.wechat.nickname);
  const masked = await w.page.locator('[data-field=wxid]').innerText();
  expect(masked, 'masked wxid').toBe(`${demo.wechat.wxid.slice(0, 2)}${'*'.repeat(demo.wechat.wxid.length - 4)}${demo.wechat.wxid.slice(-2)}`);
  await w.screenshot('32-bound');
  // Reloading the callback page does not break anything.
  await w.reload();
  await w.expectText('绑定成功');
  // WeChat lists the wallet under 授权管理.
  await w.open('/wechat/settings');
  await w.expectText('授权管理');
  await w.page.locator('[data-appid]').waitFor();
  // The console saw the token exchange with its real field names.
  await w.open('/dev');
  await w.expectText('GET /sns/oauth2/access_token');
  await w.expectText('openid');
  await w.screenshot('33-dev-console');
  await w.close();
});

test('denying in WeChat cancels the binding', async () => {
  const w = await h.wallet();
  const demo = await signedInDemo(w);
  await w.startBinding();
  await w.wechatLogIn(demo.wechat);
  await w.button('拒绝').click();
  await w.page.waitForURL(/\/bind\/callback\?state=/);
  await w.expectError('W-BIND-DENIED');
  expect(new URL(w.page.url()).searchParams.get('code'), 'no code').toBe(null);
  expect(await bindingStatus(w), 'status').toBe('unbound');
  await w.close();
});

test('third-party authorization off: guidance, link to the setting, then it works', async () => {
  const w = await h.wallet();
  const demo = await signedInDemo(w);
  await w.open('/wechat/settings');
  await w.wechatLogIn(demo.wechat);
  await w.saved(() => w.page.getByRole('switch', { name: '允许第三方应用授权' }).uncheck());
  await w.startBinding();
  await w.expectError('W-BIND-PERMISSION');
  await w.expectText('请在微信「设置」中开启「允许第三方应用授权」');
  await w.screenshot('34-permission-off');
  await w.link('打开微信设置').click();
  await w.saved(() => w.page.getByRole('switch', { name: '允许第三方应用授权' }).check());
  await w.page.goBack();
  await w.page.locator('main h1').waitFor();
  await w.allow();
  await w.expectText('绑定成功');
  await w.close();
});

test('information mismatch binds nothing on either side', async () => {
  const w = await h.wallet();
  const demo = await signedInDemo(w);
  await w.startBinding();
  await w.wechatLogIn(demo.wechatMismatch);
  await w.allow();
  await w.expectError('W-BIND-MISMATCH');
  await w.expectText('请重新输入并核实信息是否准确无误');
  await w.screenshot('35-mismatch');
  expect(await bindingStatus(w), 'wallet side').toBe('unbound');
  await w.open('/wechat/settings');
  await w.expectText('没有已授权的应用。');
  await w.close();
});

test('a network failure changes nothing, and 重试 completes the binding', async () => {
  const w = await h.wallet();
  const demo = await signedInDemo(w);
  await w.injectFaults({ network: 1, latency: 800 });
  await w.startBinding();
  await w.wechatLogIn(demo.wechat);
  await w.allow();
  // The simulated latency shows while the wallet talks to WeChat.
  await w.expectText('正在完成绑定…');
  await w.expectError('W-BIND-NETWORK');
  await w.expectText('建议使用 Wi-Fi');
  await w.screenshot('36-network');
  await w.button('重试').click();
  await w.expectText('绑定成功');
  expect(await bindingStatus(w), 'after retry').toBe('bound');
  await w.close();
});

test('unbind in the wallet, revoke in WeChat, and rebind', async () => {
  const w = await h.wallet();
  const demo = await boundDemo(w);

  // Wallet: 设置 → 绑定管理 → 解除绑定 → 确认.
  await w.open('/settings');
  await w.link('绑定管理').first().click();
  await w.button('解除绑定').click();
  await w.expectText('解除绑定后');
  await w.button('确认').click();
  await w.expectText('已解除绑定。');
  expect(await bindingStatus(w), 'after unbinding').toBe('ended');
  await w.open('/wechat/settings');
  await w.expectText('没有已授权的应用。');

  // Rebind: WeChat remembers the first verification.
  await w.startBinding();
  await w.button('允许').click();
  await w.page.waitForURL(/\/bind\/callback\?/);
  await w.expectText('绑定成功');

  // WeChat: 设置 → 授权管理 → 数字钱包 → 取消授权; the wallet notices.
  await w.open('/wechat/settings');
  await w.button('取消授权').click();
  await w.button('确认').click();
  await w.expectText('没有已授权的应用。');
  expect(await bindingStatus(w), 'after revoking in WeChat').toBe('revoked');
  await w.expectText('绑定已结束：已在微信中取消授权。');
  await w.screenshot('37-revoked');
  // Other wallet functions keep working.
  expect(await w.balance(), 'wallet still works').toBe('¥0.00');
  await w.close();
});

test('bad or hand-edited URLs show the right error, never a crash', async () => {
  const w = await h.wallet();
  // Time passes between refusals on purpose, longer than activity is
  // coalesced: a refusal writes nothing, byte for byte.
  await w.page.clock.install();
  const later = () => w.page.clock.fastForward('00:06');
  await signedInDemo(w);
  const origin = new URL(w.page.url()).origin;
  const cb = encodeURIComponent(`${origin}/bind/callback`);
  let before = await w.storage();
  await w.open(`/wechat/connect/oauth2/authorize?appid=wx0000000000000000&redirect_uri=${cb}&response_type=code&scope=snsapi_userinfo&state=x`);
  await w.expectError('40013');
  await later();
  await w.open(`/wechat/connect/oauth2/authorize?appid=wx5f3c0a9b2e7d41c8&redirect_uri=${encodeURIComponent('http://evil.example.com/cb')}&response_type=code&scope=snsapi_userinfo&state=x`);
  await w.expectError('10003');
  await later();
  await w.open('/wechat/connect/oauth2/authorize?%E0%A4%A');
  await w.expectError('40013');
  await later();
  await w.open('/bind/callback?code=forged&state=forged');
  await w.expectError('W-BIND-NOT-STARTED');
  await later();
  expect(await w.storage(), 'storage after the refused URLs').toBe(before);
  await w.startBinding();
  before = await w.storage();
  await w.open('/bind/callback?code=forged&state=forged');
  await w.expectError('W-BIND-STATE');
  await later();
  await w.open('/bind/callback?state=forged');
  await w.expectError('W-BIND-STATE');
  expect(await w.storage(), 'storage after the forged callbacks').toBe(before);
  await w.close();
});

test('「转入微信零钱」 moves money from the wallet to WeChat 零钱 through the ledger', async () => {
  const w = await h.wallet();
  const demo = await boundDemo(w);
  await w.link('转入微信零钱').click();
  await w.fillMovement('/to-wechat', { 金额: '1' });
  await w.expectError('W-BALANCE-LOW');
  // Fund the wallet from a card, then move ¥10 to 零钱.
  await w.addCard('62220200123456782', demo.name); // ICBC debit, Luhn-valid
  await w.expectText('银行卡已添加。');
  await w.fillMovement('/top-up', { 金额: '50' });
  expect(await w.confirmMovement(), 'after top-up').toBe('¥50.00');
  await w.fillMovement('/to-wechat', { 金额: '10' });
  await w.expectText(`微信零钱 · ${demo.wechat.nickname}`);
  expect(await w.confirmMovement(), 'wallet after').toBe('¥40.00');
  await w.open('/wechat/');
  await w.screenshot('38-wechat-change');
  expect(await w.page.getByTestId('change').innerText(), '零钱').toBe('¥10.00');
  expect((await w.historyLines())[0], 'history').toBe('转入微信零钱|-¥10.00');
  await w.close();
});

test('the console exports, refuses a bad import without change, and imports a good one', async () => {
  const w = await h.wallet();
  const demo = await signedInDemo(w);
  await w.open('/dev');
  const download = w.page.waitForEvent('download');
  await w.button('导出 JSON').click();
  const file = await (await download).path();
  const before = await w.storage();
  await w.page.locator('#dev-import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"qianbao.state":"{broken"}') });
  // The file is bad, not the wallet: it says so, and changes nothing.
  await w.expectError('W-IMPORT-DAMAGED');
  await w.expectText('所选的导出文件已损坏或被改动，没有导入任何内容。');
  await w.expectText('当前的钱包数据没有任何改动');
  expect(await w.storage(), 'after a bad import').toBe(before);
  // Reset, then import the export: the account is back.
  await w.button('重置全部数据').click();
  const resetDone = w.page.waitForEvent('load');
  await w.button('确认').click();
  await resetDone;
  await w.open('/login');
  await w.logIn(demo.login, demo.password);
  await w.expectError('W-ACC-UNKNOWN');
  await w.open('/dev');
  const importDone = w.page.waitForEvent('load');
  await w.page.locator('#dev-import').setInputFiles(file);
  await importDone;
  // The export is encrypted: its wallet's password opens it, and signs in.
  await w.expectText('钱包已锁定');
  await w.field('密码').fill(demo.password);
  await w.button('解锁').click();
  await w.page.locator('#unlock-password').waitFor({ state: 'detached' });
  expect(await w.balance(), 'restored account').toBe('¥0.00');
  await w.close();
});
