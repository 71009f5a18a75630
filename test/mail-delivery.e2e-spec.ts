import { Api } from './support/client.js';
import { startApp, TestApp } from './support/app.js';

describe('verification mail over real SMTP', () => {
  let t: TestApp;
  let api: Api;
  let orgId: string;

  beforeAll(async () => {
    t = await startApp();
    api = new Api(t.url, t.adminToken);
    orgId = await api.addOrganization('Mail Org');
  });
  afterAll(() => t.close());

  it('SetEmail with sendCode mails the code and a link with user, org and code', async () => {
    const userId = await api.addUser(orgId, 'mailer', 'mailer-old@example.com');
    const r = await api.setEmail('rest', userId, {
      email: 'mailer@example.com',
      sendCode: { urlTemplate: 'https://app.example.com/verify?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}' },
    });
    expect(r.ok).toBe(true);
    const mail = await t.sink.waitForMailTo('mailer@example.com');
    expect(mail.subject).toBe('Verify email');
    expect(mail.from).toBe('no-reply@localhost');
    const code = /\(Code ([A-Z0-9]{6})\)/.exec(mail.text)?.[1];
    expect(code).toBeDefined();
    expect(mail.text).toContain('Hello mailer Test,');
    const link = `https://app.example.com/verify?userID=${userId}&code=${code}&orgID=${orgId}`;
    expect(mail.text).toContain(link);
    const button = /<a href="([^"]+)"[^>]*>Verify email<\/a>/.exec(mail.html)?.[1];
    expect(decodeEntities(button ?? '')).toBe(link);
  });
});

function decodeEntities(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"');
}
