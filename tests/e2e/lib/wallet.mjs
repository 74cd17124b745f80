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

  async open(path = '/') {
    await this.page.goto(this.baseUrl + path);
    await this.page.locator('main').waitFor();
  }

  async reload() {
    await this.page.reload();
    await this.page.locator('main').waitFor();
  }

  async screenshot(name) {
    await this.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
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

  async storage() {
    return this.page.evaluate(() => JSON.stringify(Object.entries(localStorage).sort()));
  }
}
