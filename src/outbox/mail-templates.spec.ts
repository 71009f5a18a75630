import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailTemplates } from './mail-templates.js';

const verifyData = { displayName: 'Minnie <Mouse>', code: 'SKJD34', url: 'https://app.example.com/verify?code=SKJD34&userID=1' };

function templateDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mail-templates-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('MailTemplates', () => {
  const templates = new MailTemplates();

  it('renders both parts of the verification mail: HTML escaped, text as it is', () => {
    const { html, text } = templates.render('verify-email', verifyData);
    expect(html).toContain('Hello Minnie &lt;Mouse&gt;,');
    expect(html).toContain('href="https://app.example.com/verify?code&#x3D;SKJD34&amp;userID&#x3D;1"');
    expect(text).toContain('Hello Minnie <Mouse>,');
    expect(text).toContain('(Code SKJD34)');
    expect(text).toContain('Verify email: https://app.example.com/verify?code=SKJD34&userID=1');
    expect(text).not.toContain('{{');
  });

  it.each(['displayName', 'code', 'url'])('refuses to render the verification mail without %s (no literal placeholder is sent)', (key) => {
    const data: Record<string, string> = { ...verifyData };
    delete data[key];
    expect(() => templates.render('verify-email', data)).toThrow(`"${key}" not defined`);
  });

  it('refuses a value missing only from the plain-text part', () => {
    const dir = templateDir({ 'm.hbs': '<p>{{a}}</p>', 'm.txt': '{{a}} {{b}}' });
    expect(new MailTemplates(dir).render('m', { a: '1', b: '2' })).toEqual({ html: '<p>1</p>', text: '1 2' });
    expect(() => new MailTemplates(dir).render('m', { a: '1' })).toThrow('"b" not defined');
  });

  it('renders the changed-address notice, and refuses it without the display name', () => {
    expect(templates.render('email-changed', { displayName: 'Minnie' }).text).toContain('Hello Minnie,');
    expect(() => templates.render('email-changed', {})).toThrow('"displayName" not defined');
  });

  it('refuses an unknown template permanently (the outbox does not retry it)', () => {
    expect(() => templates.render('nope', {})).toThrow(expect.objectContaining({ permanent: true }));
  });

  it('refuses a template directory where a mail lacks one of its parts', () => {
    expect(() => new MailTemplates(templateDir({ 'm.hbs': '<p>x</p>' }))).toThrow('m.txt');
    expect(() => new MailTemplates(templateDir({ 'm.txt': 'x' }))).toThrow('no HTML part');
  });
});
