// One server and one browser per spec file; a fresh context (empty
// localStorage) per test.
import { after, before } from 'node:test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';
import { Wallet } from './wallet.mjs';
import { expect } from './expect.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DIST = process.env.QIANBAO_DIST ?? join(ROOT, 'dist');
/** The same site built with `--public-url /qianbao/` (scripts/test.sh). */
export const SUBPATH_DIST = process.env.QIANBAO_SUBPATH_DIST ?? join(ROOT, 'target', 'dist-subpath');

export const PHONE_VIEWPORT = { width: 390, height: 844 };

export function harness({ dist = DIST, prefix = '' } = {}) {
  const h = {};
  before(async () => {
    h.server = await serve(dist, { prefix });
    h.browser = await launch();
  });
  after(async () => {
    await h.browser?.close();
    await h.server?.close();
  });
  /** A new browser context and its wallet page object. */
  h.wallet = async (options = {}) => {
    const context = await h.browser.newContext({ locale: 'zh-CN', ...options });
    const page = await context.newPage();
    const wallet = new Wallet(page, h.server.url);
    wallet.close = async () => {
      expect(wallet.pageErrors.join('\n'), 'page errors').toBe('');
      await context.close();
    };
    return wallet;
  };
  return h;
}
