// Page objects: what a person does in the wallet and on the phone, in the
// words on the screen. Specs read as the flows they test.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from './expect.mjs';

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export class Wallet {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
    this.pageErrors = [];
    page.on('pageerror', (error) => this.pageErrors.push(String(error)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.pageErrors.push(msg.text());
    });
  }

  /**
   * Waits until nothing is being saved (the app marks `<html data-saving>`
   * from a command's start to its save): a person who leaves the page in
   * the middle of a save may lose it, so the tests never do.
   */
  async settled() {
    await this.page.waitForFunction(() => !document.documentElement.hasAttribute('data-saving'));
  }

  async open(path = '/') {
    if (this.page.url().startsWith(this.baseUrl)) await this.settled();
    await this.page.goto(this.baseUrl + path);
    await this.page.locator('main').waitFor();
  }

  async reload() {
    await this.settled();
    await this.page.reload();
    await this.page.locator('main').waitFor();
  }

  async screenshot(name, locator) {
    if (locator) await locator.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    else await this.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  field(label) {
    return this.page.getByLabel(label, { exact: true });
  }

  button(name) {
    return this.page.getByRole('button', { name, exact: true });
  }

  link(name) {
    return this.page.getByRole('link', { name, exact: true });
  }

  /** The error box's stable code, or null when there is none. */
  async errorCode() {
    const box = this.page.locator('.error-box');
    if ((await box.count()) === 0) return null;
    return box.first().getAttribute('data-code');
  }

  async expectError(code) {
    await this.page.locator(`.error-box[data-code="${code}"]`).waitFor();
  }

  async expectText(text) {
    await this.page.getByText(text).first().waitFor();
  }

  /** Opens the always-available phone panel and returns the newest code. */
  async readCodeFromPhone() {
    const toggle = this.page.locator('.phone-toggle');
    await toggle.click();
    const panel = this.page.locator('#phone-panel');
    await panel.waitFor();
    const text = await panel.locator('.message-text').first().innerText();
    const code = text.match(/\b(\d{6})\b/)?.[1];
    expect(code, `a 6-digit code in "${text}"`).toBeTruthy();
    return code;
  }

  async closePhone() {
    await this.page.locator('#phone-panel').getByRole('button', { name: /关闭|Close/ }).click();
  }

  async register({ login, name, password }) {
    await this.field('手机号或邮箱').fill(login);
    await this.button('获取验证码').click();
    await this.page.locator('.sent').waitFor();
    const code = await this.readCodeFromPhone();
    await this.closePhone();
    await this.field('验证码').fill(code);
    await this.field('真实姓名').fill(name);
    await this.field('密码').fill(password);
    await this.button('注册').click();
  }

  async logIn(login, password) {
    await this.field('手机号或邮箱').fill(login);
    await this.field('密码').fill(password);
    await this.button('登录').click();
    // The hash runs after a short pause; wait until the form is idle again
    // (its button enabled) or gone (logged in).
    await this.page.waitForFunction(() => !document.querySelector('form button[type=submit][disabled]'));
  }

  /** 「一键创建演示账户」 on the start page; returns the shown credentials. */
  async createDemo() {
    await this.open('/');
    await this.button('一键创建演示账户').click();
    await this.page.locator('[data-wallet] [data-field=password]').waitFor();
    const read = (scope, f) => this.page.locator(`${scope} [data-field=${f}]`).innerText();
    const wechat = async (role) => ({
      wxid: await read(`[data-wechat=${role}]`, 'wxid'),
      nickname: await read(`[data-wechat=${role}]`, 'nickname'),
      password: await read(`[data-wechat=${role}]`, 'password'),
      payPassword: await read(`[data-wechat=${role}]`, 'pay-password'),
      name: await read(`[data-wechat=${role}]`, 'real-name'),
    });
    return {
      login: await read('[data-wallet]', 'login'),
      password: await read('[data-wallet]', 'password'),
      name: await read('[data-wallet]', 'real-name'),
      wechat: await wechat('match'),
      wechatMismatch: await wechat('mismatch'),
    };
  }

  /**
   * 「一键创建演示账户」 and signed in as its wallet; with `money` yuan topped
   * up from an ICBC debit card in its name; bound to its WeChat if `bound`.
   */
  async signedInDemo({ money = 0, bound = false } = {}) {
    const demo = await this.createDemo();
    await this.signInAs(demo);
    if (money) {
      await this.addCard('62220200123456782', demo.name); // ICBC debit, Luhn-valid
      await this.expectText('银行卡已添加。');
      await this.fillMovement('/top-up', { 金额: String(money) });
      await this.confirmMovement();
    }
    if (bound) {
      await this.startBinding();
      await this.wechatLogIn(demo.wechat);
      await this.allow();
      await this.expectText('绑定成功');
    }
    return demo;
  }

  /** Another tab of this wallet (same browser): it asks for `user`'s password, the data being sealed. */
  async otherTab(user) {
    const tab = new Wallet(await this.page.context().newPage(), this.baseUrl);
    await tab.open('/');
    await tab.expectText('钱包已锁定');
    await tab.field('密码').fill(user.password);
    await tab.button('解锁').click();
    await tab.page.getByTestId('balance').waitFor();
    return tab;
  }

  async signInAs(user) {
    await this.open('/login');
    await this.logIn(user.login, user.password);
    await this.page.getByTestId('balance').waitFor();
  }

  async logOut() {
    await this.open('/');
    await this.button('退出登录').click();
    await this.expectText('欢迎使用数字钱包');
  }

  async addCard(number, holder, { expiry, cvv } = {}) {
    await this.open('/cards');
    await this.field('卡号').fill(number);
    await this.field('持卡人').fill(holder);
    if (expiry) await this.field('有效期（月/年，如 12/30）').fill(expiry);
    if (cvv) await this.field('安全码（卡背面 3 位数字）').fill(cvv);
    await this.button('添加银行卡').click();
  }

  /** Fills a movement form's amount (and extra fields) and presses 下一步. */
  async fillMovement(path, fields) {
    await this.open(path);
    for (const [label, value] of Object.entries(fields)) {
      const field = this.field(label);
      if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption({ label: value });
      else await field.fill(value);
    }
    await this.button('下一步').click();
  }

  /** Confirms the review step and waits for 操作成功; returns the balance after. */
  async confirmMovement() {
    await this.button('确认').click();
    await this.expectText('操作成功');
    return this.page.getByTestId('balance-after').innerText();
  }

  async balance() {
    await this.open('/');
    return this.page.getByTestId('balance').innerText();
  }

  /** The history lines as "kind|amount", newest first. */
  async historyLines() {
    await this.open('/history');
    await this.page.locator('main h1').waitFor();
    return this.page.locator('.history li').evaluateAll((items) =>
      items.map((li) => `${li.querySelector('.h-kind').textContent}|${li.querySelector('.h-amount').textContent}`));
  }

  /** 设置 → 账户管理 → 「绑定微信」: lands on WeChat's authorize page. */
  async startBinding() {
    await this.open('/settings');
    await this.expectText('账户管理');
    await this.button('绑定微信').click();
    await this.page.waitForURL(/\/wechat\/connect\/oauth2\/authorize\?appid=/);
    await this.page.locator('main h1').waitFor();
  }

  /** WeChat's 「登录」 (on whichever WeChat page shows it). */
  async wechatLogIn(account) {
    await this.field('微信号或手机号').fill(account.wxid);
    await this.field('密码').fill(account.password);
    await this.button('登录').click();
  }

  /** 「允许」, with 二次验证 when WeChat asks for it; waits for the callback. */
  async allow() {
    await this.button('允许').click();
    if (await this.page.getByText('二次验证').count()) {
      await this.button('获取验证码').click();
      await this.page.locator('.sent').waitFor();
      const code = await this.readCodeFromPhone();
      await this.closePhone();
      await this.field('验证码').fill(code);
      await this.button('确认').click();
    }
    await this.page.waitForURL(/\/bind\/callback\?/);
    await this.page.locator('main h1').waitFor();
  }

  /** The dev console: network failure (or system busy) on the next N requests. */
  async injectFaults({ network = 0, busy = 0, latency = 0 }) {
    await this.open('/dev');
    await this.field('接下来 N 次请求网络失败').fill(String(network));
    await this.field('接下来 N 次请求返回系统繁忙（-1）').fill(String(busy));
    await this.field('每次请求的延迟（毫秒）').fill(String(latency));
    await this.button('应用').click();
    await this.expectText(`当前：网络失败 ${network} 次，系统繁忙 ${busy} 次`);
  }

  /** A store: 「加入购物车」 for each SKU, 「去结算」, 「微信支付」; lands on the cashier. */
  async checkout(shop, skus) {
    await this.open(`/shop/${shop}`);
    for (const sku of skus) await this.page.locator(`[data-sku=${sku}]`).getByRole('button', { name: '加入购物车' }).click();
    await this.button('去结算').click();
    await this.page.getByTestId('order-no').waitFor();
    const orderNo = await this.page.getByTestId('order-no').innerText();
    await this.button('微信支付').click();
    await this.page.waitForURL(/\/wechat\/pay\?/);
    await this.page.getByTestId('pay-amount').waitFor();
    return orderNo;
  }

  /**
   * Does `action` and waits until its change is saved (the stored head is
   * another): for a change with nothing else on screen to wait for (a
   * switch), before the test leaves the page.
   */
  async saved(action) {
    const head = () => this.page.evaluate(() => localStorage.getItem('qianbao.state'));
    const before = await head();
    await action();
    await this.page.waitForFunction((b) => localStorage.getItem('qianbao.state') !== b, before);
  }

  /**
   * Everything the sandbox keeps in localStorage, sorted — but the time the
   * person was last seen (`qianbao.active`, the idle lock's clock), which a
   * click refreshes without any command writing anything.
   */
  async storage() {
    await this.settled();
    return this.page.evaluate(() =>
      JSON.stringify(Object.entries(localStorage).filter(([k]) => k !== 'qianbao.active').sort()));
  }
}
