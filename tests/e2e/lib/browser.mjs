// Launches Debian's Chromium through playwright-core (which downloads no
// browser). The flags keep it off the network this machine does not have.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run',
      // Two tabs of one wallet side by side, as two windows are: a tab in
      // the background keeps its timers and animation frames (which
      // playwright's clicks wait for) at full speed.
      '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}
