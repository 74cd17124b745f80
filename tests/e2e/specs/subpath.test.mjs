// The site works from a sub-path of a static host (built with
// `--public-url /qianbao/`): assets load, links stay under the prefix, deep
// links and reloads land on the right screen.
import { test } from 'node:test';
import { harness, SUBPATH_DIST } from '../lib/harness.mjs';
import { expect } from '../lib/expect.mjs';

const h = harness({ dist: SUBPATH_DIST, prefix: '/qianbao' });

test('navigate, deep-link and reload under /qianbao/', async () => {
  const w = await h.wallet();
  await w.open('/');
  await w.expectText('欢迎使用数字钱包');
  await w.link('注册').click();
  await w.expectText('注册数字钱包');
  expect(new URL(w.page.url()).pathname, 'path after a link').toBe('/qianbao/register');

  await w.page.goBack();
  await w.expectText('欢迎使用数字钱包');
  await w.page.goForward();
  await w.expectText('注册数字钱包');

  await w.register({ login: '13600136000', name: '赵磊', password: 'Subpath2026x' });
  await w.expectText('注册成功，请登录。');
  expect(new URL(w.page.url()).pathname, 'path after registering').toBe('/qianbao/login');

  await w.open('/phone/');
  await w.expectText('模拟手机的短信和邮件收件箱');
  await w.reload();
  await w.expectText('模拟手机的短信和邮件收件箱');
  const hrefs = await w.page.locator('a[href^="/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  for (const href of hrefs) expect(href, 'link').toContain('/qianbao/');
  await w.close();
});
