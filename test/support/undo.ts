import { createServer, type AddressInfo } from 'node:net';
import type { ReceivedMail } from './smtp-sink.js';

/** A loopback port that was free a moment ago: EXTERNAL_URL for links the test opens. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function decodeEntities(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCharCode(parseInt(d, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The undo link of an "address changed" notice (HTML button), or null when the notice has none. */
export function undoLinkIn(mail: ReceivedMail): string | null {
  // the mailer may re-quote attributes: either quote
  const href = /<a\s+href=["']([^"']+)["'][^>]*>\s*Undo this change\s*<\/a>/.exec(mail.html)?.[1];
  return href ? decodeEntities(href) : null;
}

/** The link moved onto the running app's origin (startApp listens on its own port). */
export function onApp(link: string, appUrl: string): string {
  const u = new URL(link);
  return new URL(u.pathname + u.search, appUrl).toString();
}

/** The undo page's form POST, as the browser sends it. */
export async function postUndo(appUrl: string, token: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${appUrl}/ui/v2/login/email/undo`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  return { status: res.status, body: await res.text() };
}

export const tokenOf = (link: string): string => new URL(link).searchParams.get('token') ?? '';
