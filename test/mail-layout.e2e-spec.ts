import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startApp, TestApp } from './support/app.js';
import { launchBrowser, withPage } from './support/browser.js';
import { Api } from './support/client.js';
import type { ReceivedMail } from './support/smtp-sink.js';
import { shippedMessage } from '../src/texts/shipped-texts.js';

/**
 * The verify-email mail as a person sees it: each shipped language's HTML part, as the SMTP
 * sink received it, rendered in headless Chromium at a desktop client's and a phone's width
 * (scripts off, as mail clients have them). The screenshots are written to
 * MAIL_SCREENSHOT_DIR (default: <tmp>/mail-screenshots) for a reviewer to look at; the checks
 * below are what such a look found must hold.
 */

const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ja', 'zh'] as const;
const WIDTHS = { desktop: 800, phone: 360 } as const;
const SHOTS = process.env.MAIL_SCREENSHOT_DIR || join(tmpdir(), 'mail-screenshots');

let t: TestApp;
let browser: Browser;
const mails = new Map<string, ReceivedMail>();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  t = await startApp();
  const api = new Api(t.url, t.adminToken);
  const orgId = await api.addOrganization('Layout');
  for (const lang of LANGUAGES) {
    const email = `layout-${lang}@example.com`;
    const r = await api.addHumanUser({
      username: `layout-${lang}`,
      organization: { orgId },
      // a long name: the greeting must wrap, not widen the mail
      profile: { givenName: 'Maximiliane', familyName: 'Oberhauser-Lindqvist', preferredLanguage: lang },
      email: { email, sendCode: {} },
    });
    expect(r.status).toBe(200);
    mails.set(lang, await t.sink.waitForMailTo(email));
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

interface Layout {
  lang: string;
  dir: string;
  scrollWidth: number;
  viewport: number;
  card: { left: number; right: number; width: number };
  title: { text: string; bottom: number };
  button: { text: string; left: number; right: number; top: number; height: number; color: string; background: string };
  link: { right: number; href: string };
  paragraphs: number;
  preheaderVisible: boolean;
}

/** Runs in the page (a string: the tests compile without the DOM's types). */
const MEASURE = `(() => {
  const box = (el) => el.getBoundingClientRect();
  const card = box(document.querySelector('table table'));
  const h1 = document.querySelector('h1');
  const [button, link] = Array.from(document.querySelectorAll('a'));
  const pre = document.body.firstElementChild;
  return {
    lang: document.documentElement.lang,
    dir: document.documentElement.dir,
    scrollWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    card: { left: card.left, right: card.right, width: card.width },
    title: { text: h1.innerText, bottom: box(h1).bottom },
    button: {
      text: button.innerText,
      left: box(button).left,
      right: box(button).right,
      top: box(button).top,
      height: box(button).height,
      color: getComputedStyle(button).color,
      background: getComputedStyle(button.parentElement).backgroundColor,
    },
    link: { right: box(link).right, href: link.getAttribute('href') || '' },
    paragraphs: document.querySelectorAll('p').length,
    preheaderVisible: pre.tagName === 'DIV' && pre.getBoundingClientRect().height > 0,
  };
})()`;

const measure = (page: Page): Promise<Layout> => page.evaluate<Layout>(MEASURE);

describe.each(LANGUAGES)('the %s verify-email mail in Chromium', (lang) => {
  it.each(Object.entries(WIDTHS))('reads well at %s width', async (name, width) => {
    const mail = mails.get(lang)!;
    await withPage(
      browser,
      async (page) => {
        await page.setViewportSize({ width, height: 900 });
        await page.setContent(mail.html, { waitUntil: 'load' });
        await page.screenshot({ path: join(SHOTS, `verify-email-${lang}-${name}.png`), fullPage: true });
        const l = await measure(page);
        expect([l.lang, l.dir]).toEqual([lang, 'ltr']);
        // nothing wider than the window: no sideways scrolling on a phone
        expect(l.scrollWidth).toBeLessThanOrEqual(l.viewport);
        // a centred card of at most 560 px
        expect(l.card.width).toBeLessThanOrEqual(562);
        expect(Math.abs(l.card.left - (l.viewport - l.card.right))).toBeLessThanOrEqual(1);
        expect(l.title.text).toBe(shippedMessage('verifyemail', lang).title);
        // the button: inside the card, below the text, one line, white on blue
        expect(l.button.left).toBeGreaterThanOrEqual(l.card.left);
        expect(l.button.right).toBeLessThanOrEqual(l.card.right);
        expect(l.button.top).toBeGreaterThan(l.title.bottom);
        expect(l.button.height).toBeLessThan(50);
        expect(l.button.color).toBe('rgb(255, 255, 255)');
        expect(l.button.background).toBe('rgb(31, 111, 235)');
        expect(mail.text).toContain(`${l.button.text}: ${l.link.href}`);
        // the written-out link wraps inside the card
        expect(l.link.right).toBeLessThanOrEqual(l.card.right);
        // greeting and two paragraphs (the English text of spec §4 is one)
        expect(l.paragraphs).toBe(lang === 'en' ? 2 : 3);
        expect(l.preheaderVisible).toBe(false);
      },
      { javaScriptEnabled: false },
    );
  });
});
