import { createServer, AddressInfo } from 'node:net';
import type { Browser, Page, Response } from 'playwright-core';
import { startApp, TestApp } from './support/app.js';
import { launchBrowser, withPage } from './support/browser.js';
import { Api, getUserVia, gql } from './support/client.js';

/**
 * What a person sees: the default verification link (spec §4) opened in a real browser, the
 * hosted page that only verifies on the button's POST (spec §5, scanner-safe links), and the
 * Apollo Sandbox landing page on GET /graphql.
 */
describe('in a real browser', () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;
  let browser: Browser;
  let externalUrl: string;

  beforeAll(async () => {
    // The default link is `{EXTERNAL_URL}/ui/v2/login/verify?...`; point it at a loopback
    // origin. startApp listens on port 0 whatever PORT says, so the test moves the mailed
    // link onto t.url's origin (mailedLink) after checking it was built from EXTERNAL_URL.
    const port = await freePort();
    externalUrl = `http://127.0.0.1:${port}`;
    t = await startApp({ PORT: String(port), EXTERNAL_URL: externalUrl });
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('Browser Org');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Adds a user, sets a new address with the default sendCode and returns the mailed link and code. */
  async function userWithMailedLink(username: string): Promise<{ userId: string; link: string; code: string }> {
    const userId = await api.addUser(orgId, username, `${username}-old@example.com`);
    const address = `${username}@example.com`;
    const r = await api.setEmail('rest', userId, { email: address, sendCode: {} });
    expect(r).toMatchObject({ ok: true });
    const mail = await t.sink.waitForMailTo(address);
    const code = /\(Code ([A-Z0-9]+)\)/.exec(mail.text)?.[1];
    if (!code) throw new Error(`no code in the mail text: ${mail.text}`);
    const href = /<a href="([^"]+)"[^>]*>Verify email<\/a>/.exec(mail.html)?.[1];
    if (!href) throw new Error(`no "Verify email" button in the mail HTML: ${mail.html}`);
    const mailed = new URL(decodeEntities(href));
    expect(mailed.origin).toBe(externalUrl);
    expect(mailed.pathname).toBe('/ui/v2/login/verify');
    expect(Object.fromEntries(mailed.searchParams)).toEqual({ code, organization: orgId, userId });
    const link = new URL(mailed.pathname + mailed.search, t.url).toString();
    return { userId, link, code };
  }

  async function isVerified(userId: string): Promise<boolean> {
    const u = await getUserVia(api, 'rest', userId);
    if (!u.ok) throw new Error(`GetUserByID: ${JSON.stringify(u.raw)}`);
    return u.isVerified;
  }

  /** Presses the page's button and returns the response to the form's POST. */
  async function pressVerify(page: Page): Promise<Response> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/ui/v2/login/verify'),
      page.getByRole('button', { name: 'Verify email' }).click(),
    ]);
    await page.waitForLoadState('load');
    return response;
  }

  it('the mailed link shows the code and a button; opening it verifies nothing, pressing the button does (without JavaScript)', async () => {
    const { userId, link, code } = await userWithMailedLink('browser-flow');

    await withPage(
      browser,
      async (page) => {
        const opened = await page.goto(link);
        expect(opened?.status()).toBe(200);
        expect(await page.title()).toBe('Verify email');
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Verify email');
        expect(await page.getByLabel('Verification code').inputValue()).toBe(code);
        expect(await page.getByRole('button', { name: 'Verify email' }).isVisible()).toBe(true);
        await page.screenshot({ path: '/tmp/verify-page.png', fullPage: true });

        expect(await isVerified(userId)).toBe(false);
        // A mail scanner follows the link with plain GETs; that must not consume the code.
        for (let i = 0; i < 2; i++) {
          const scan = await fetch(link);
          expect(scan.status).toBe(200);
          expect(await scan.text()).toContain(`value="${code}"`);
        }
        expect(await isVerified(userId)).toBe(false);

        const posted = await pressVerify(page);
        expect(posted.status()).toBe(200);
        expect(await page.title()).toBe('Email verified');
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Email verified');
        expect(await page.getByRole('status').innerText()).toContain('Your email address has been verified');
      },
      { javaScriptEnabled: false },
    );

    expect(await isVerified(userId)).toBe(true);
  });

  it('a wrong code shows the failure page (400) and leaves the address unverified', async () => {
    const { userId, link, code } = await userWithMailedLink('browser-wrong');
    const wrong = new URL(link);
    wrong.searchParams.set('code', code === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ');

    await withPage(browser, async (page) => {
      expect((await page.goto(wrong.toString()))?.status()).toBe(200);
      expect(await page.getByLabel('Verification code').inputValue()).toBe(wrong.searchParams.get('code'));
      const posted = await pressVerify(page);
      expect(posted.status()).toBe(400);
      expect(await page.title()).toBe('Verification failed');
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Verification failed');
      expect(await page.getByRole('status').innerText()).toContain('This code is invalid or has expired');
    });

    expect(await isVerified(userId)).toBe(false);
  });

  it('the page is sent with headers that forbid framing, scripts and referrers, and carries no script', async () => {
    const { link } = await userWithMailedLink('browser-headers');

    await withPage(browser, async (page) => {
      const opened = await page.goto(link);
      if (!opened) throw new Error('no response for the link');
      const headers = await opened.allHeaders();
      expect(headers['content-type']).toMatch(/^text\/html/);
      const csp = headers['content-security-policy'] ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      // default-src 'none' with no script-src: a browser runs no script on this page
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('script-src');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(await page.locator('script').count()).toBe(0);
    });
  });

  it('GET /graphql in a browser serves the embedded Apollo Sandbox page, and POST /graphql still answers JSON', async () => {
    await withPage(browser, async (page) => {
      // The Sandbox script lives on Apollo's CDN; the loopback-only context aborts that
      // request, so this checks the page the service sends, not that Sandbox renders.
      const cdnRequests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('embeddable-sandbox')) cdnRequests.push(r.url());
      });
      const opened = await page.goto(`${t.url}/graphql`);
      if (!opened) throw new Error('no response for /graphql');
      expect(opened.status()).toBe(200);
      expect(opened.headers()['content-type']).toMatch(/^text\/html/);
      const html = await opened.text();
      expect(html).toContain('embeddable-sandbox');
      expect(html).toContain('id="embeddableSandbox"');
      expect(html).not.toContain('GraphQL Playground');
      expect(await page.locator('#embeddableSandbox').count()).toBe(1);
      expect(cdnRequests).toEqual([expect.stringMatching(/^https:\/\/embeddable-sandbox\.cdn\.apollographql\.com\//)]);
    });

    const r = await gql(t.url, '{ __typename }');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(r.body).toEqual({ data: { __typename: 'Query' } });
  });
});

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function decodeEntities(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCharCode(parseInt(d, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
