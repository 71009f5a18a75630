import type { Browser, Page } from 'playwright-core';
import { startApp, TestApp } from './support/app.js';
import { launchBrowser, withPage } from './support/browser.js';
import { Api } from './support/client.js';
import { eventually } from './support/fault-smtp.js';

/**
 * GraphiQL at /graphiql, in a real browser with no way off the machine: it loads only from the
 * service, introspects with the token of its field, runs setContactEmail and shows the answer.
 */
describe('GraphiQL at /graphiql', () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startApp();
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('GraphiQL Org');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Every request the page makes, with its origin and authorization header, and console errors. */
  function record(page: Page) {
    const requests: { url: string; authorization?: string; body: string | null }[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push({ url: r.url(), authorization: r.headers()['authorization'], body: r.postData() }));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    return { requests, errors };
  }

  const editorValue = (page: Page, selector: string) =>
    page.evaluate(
      (s) => ((globalThis as any).document.querySelector(s) as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
      selector,
    );

  it('renders from the service alone, introspects and runs setContactEmail with the entered token, and shows the answer', async () => {
    const { userId } = await api.addUniqueUser(orgId, 'graphiql');
    await withPage(browser, async (page) => {
      const { requests, errors } = record(page);
      const opened = await page.goto(`${t.url}/graphiql`);
      expect(opened?.status()).toBe(200);
      expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
      await page.locator('.graphiql-container').waitFor();

      await page.getByLabel('Bearer token').fill(t.adminToken);
      await page.getByRole('button', { name: 'Use token' }).click();
      // the schema comes from introspection with the token: the docs explorer knows the mutation
      await eventually(
        () => requests.find((r) => r.body?.includes('IntrospectionQuery') && r.authorization === `Bearer ${t.adminToken}`),
        'an introspection query with the token',
      );

      const query = `mutation { setContactEmail(input: {userId: "${userId}", email: "graphiql-new@example.com", returnCode: true}) { verificationCode details { sequence } } }`;
      await page.evaluate((q) => {
        (
          (globalThis as any).document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as {
            CodeMirror: { setValue(v: string): void };
          }
        ).CodeMirror.setValue(q);
      }, query);
      await page.locator('.graphiql-execute-button').click();
      const shown = await eventually(
        async () =>
          (await editorValue(page, '.result-window .CodeMirror')).includes('verificationCode')
            ? editorValue(page, '.result-window .CodeMirror')
            : undefined,
        'the answer in the result pane',
        15_000,
      );
      const answer = JSON.parse(shown);
      expect(answer).toEqual({
        data: { setContactEmail: { verificationCode: expect.stringMatching(/^[A-Z0-9]{6}$/), details: { sequence: expect.any(String) } } },
      });
      const run = requests.find((r) => r.body?.includes('setContactEmail'));
      expect(run?.authorization).toBe(`Bearer ${t.adminToken}`);
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/graphiql.png` });

      // nothing from another origin, nothing refused by the page's CSP
      expect(requests.map((r) => new URL(r.url).origin).filter((o) => o !== t.url)).toEqual([]);
      // spec §7.10: the page's first introspection, before a token is entered, is refused (401);
      // nothing else may fail
      expect(errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
      const anonymous = requests.filter((r) => r.body?.includes('IntrospectionQuery') && !r.authorization);
      expect(errors.length).toBeLessThanOrEqual(anonymous.length);
    });
    // the change happened
    const user = await api.getUser(userId);
    expect(user.body.user.human.email.email).toBe('graphiql-new@example.com');
  });

  it('without a token it renders and sends its introspection query with no Authorization header', async () => {
    await withPage(browser, async (page) => {
      const { requests } = record(page);
      await page.goto(`${t.url}/graphiql`);
      await page.locator('.graphiql-container').waitFor();
      await eventually(() => requests.find((r) => r.body?.includes('IntrospectionQuery')), 'an introspection query');
      expect(requests.filter((r) => r.body?.includes('IntrospectionQuery')).every((r) => r.authorization === undefined)).toBe(true);
    });
  });

  it('the Apollo Sandbox page at /graphql links to it', async () => {
    await withPage(browser, async (page) => {
      await page.goto(`${t.url}/graphql`);
      const link = page.locator('#graphiql-link');
      expect(await link.getAttribute('href')).toBe('graphiql');
      await link.click();
      await page.waitForURL(`${t.url}/graphiql`);
      await page.locator('.graphiql-container').waitFor();
    });
  });

  it('serves only its four files under /graphiql/', async () => {
    for (const file of ['graphiql.min.js', 'graphiql.min.css', 'react.production.min.js', 'react-dom.production.min.js']) {
      const r = await fetch(`${t.url}/graphiql/${file}`);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    for (const file of ['package.json', '..%2Fpackage.json', 'toString', 'constructor']) {
      const r = await fetch(`${t.url}/graphiql/${file}`);
      expect(r.status).toBe(404);
      await r.arrayBuffer();
    }
  });
});
