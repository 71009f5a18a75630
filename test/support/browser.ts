import { existsSync } from 'node:fs';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';

/**
 * Debian's Chromium (scripts/ensure-chromium.sh installs it). Playwright's own browser builds
 * are never downloaded: test machines reach only the npm registry and Debian mirrors.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Headless and quiet: no sandbox (root in containers), and no background traffic to Google
// that would stall on a machine without internet.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts one headless Chromium for a test file; close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: run \`bash scripts/ensure-chromium.sh\` (as root) first`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS, timeout: 30_000 });
}

/**
 * A fresh browser context (own cookies, cache) whose requests may reach only loopback hosts:
 * anything else (e.g. Apollo's CDN for the Sandbox) is aborted at once instead of hanging.
 */
export async function loopbackContext(browser: Browser, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true });
  context.setDefaultTimeout(15_000);
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' ? route.continue() : route.abort('blockedbyclient');
  });
  return context;
}

/** Runs `fn` with a new page in a loopback-only context, closing both afterwards. */
export async function withPage<T>(
  browser: Browser,
  fn: (page: Page) => Promise<T>,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<T> {
  const context = await loopbackContext(browser, options);
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}
