import { AppError } from '../common/errors/app-error.js';
import { canonicalLanguage, fromAcceptLanguage, shippedLanguageOf } from './languages.js';
import { checkMessageFields, formatExpiry, renderMessage } from './message-renderer.js';
import type { MessageVariables } from './message-types.js';
import { shippedLayout, shippedMessage } from './shipped-texts.js';

const VARS: MessageVariables = {
  Code: 'ABC123',
  URL: 'https://id.example.com/verify?code=ABC123&a=b',
  DisplayName: 'Ann <b>Lee</b>',
  FirstName: 'Ann',
  LastName: 'Lee',
  UserName: 'ann',
  LoginName: 'ann',
  PreferredLoginName: 'ann',
  OrgName: 'Acme & Co',
  Expiry: '1 hour',
};

function refusal(fields: Record<string, string>): string {
  try {
    checkMessageFields(fields);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).message;
  }
  throw new Error('expected the text to be refused');
}

describe('checkMessageFields', () => {
  it('accepts ZITADEL’s variables, trim markers and comments', () => {
    expect(() =>
      checkMessageFields({
        text: '{{- .Code -}} {{.URL}} {{.DisplayName}} {{.FirstName}} {{.LastName}} {{.UserName}} {{.LoginName}}',
        subject: '{{/* c */}}{{.PreferredLoginName}} {{.OrgName}} {{.Expiry}}',
      }),
    ).not.toThrow();
  });

  it('names the field and the 1-based character of an unknown variable', () => {
    expect(refusal({ subject: 'ok', greeting: 'Grüße {{.UserID}}' })).toMatch(
      /^Text template is invalid: greeting at character 7: unknown variable \{\{\.UserID\}\}/,
    );
  });

  it('names the field and position of a syntax error, counting characters not UTF-16 units', () => {
    expect(refusal({ title: '😀 {{.Code' })).toMatch(/^Text template is invalid: title at character 3: unclosed action/);
    expect(refusal({ footerText: '{{range .X}}' })).toMatch(/^Text template is invalid: footerText at character 3: unexpected U\+0072 'r'/);
    expect(refusal({ text: '{{.}}' })).toMatch(/^Text template is invalid: text at character 1: /);
  });
});

describe('renderMessage', () => {
  const render = (fields = shippedMessage('verifyemail', 'de'), variables = VARS) =>
    renderMessage({ fields, language: 'de', layout: shippedLayout('de'), variables });

  it('escapes every text and value in the HTML part, and leaves the text part plain', async () => {
    const mail = await render({ ...shippedMessage('verifyemail', 'en'), text: '<i>{{.OrgName}}</i>\n\nsecond' });
    expect(mail.html).toContain('Hello Ann &lt;b&gt;Lee&lt;/b&gt;,');
    expect(mail.html).toContain('<p style="margin:0 0 16px;">&lt;i&gt;Acme &amp; Co&lt;/i&gt;</p><p style="margin:0 0 16px;">second</p>');
    expect(mail.html).not.toMatch(/<i>|<b>/);
    expect(mail.text).toContain(
      'Hello Ann <b>Lee</b>,\n\n<i>Acme & Co</i>\n\nsecond\n\nVerify email: https://id.example.com/verify?code=ABC123&a=b',
    );
  });

  it('keeps control characters of values out of both parts and line breaks out of the subject', async () => {
    const mail = await render(
      { ...shippedMessage('verifyemail', 'de'), subject: 'Hi\r\n{{.DisplayName}}' },
      { ...VARS, DisplayName: 'A\r\nBcc: x@y\u0007' },
    );
    expect(mail.subject).toBe('Hi ABcc: x@y');
    expect(mail.text).toContain('Hallo ABcc: x@y,');
  });

  it('has no button without a URL, and a footer when one is set', async () => {
    const mail = await render({ ...shippedMessage('emailchanged', 'de'), footerText: 'Zeile 1\nZeile 2' }, { ...VARS, URL: '' });
    expect(mail.html).not.toContain('<a ');
    expect(mail.html).toContain('Zeile 1<br>Zeile 2');
    expect(mail.text.trimEnd().endsWith('Zeile 1\nZeile 2')).toBe(true);
  });

  it('marks the language and direction', async () => {
    expect((await render()).html).toMatch(/<html lang="de" dir="ltr">/);
    const rtl = await renderMessage({
      fields: shippedMessage('verifyemail', 'en'),
      language: 'ar',
      layout: shippedLayout('en'),
      variables: VARS,
    });
    expect(rtl.html).toMatch(/<html lang="ar" dir="rtl">/);
    expect(rtl.html).toContain('text-align:right;');
  });
});

describe('languages', () => {
  it('formats the expiry in the mail’s language', () => {
    expect(formatExpiry(3600, 'de')).toBe('1 Stunde');
    expect(formatExpiry(5400, 'en')).toBe('1 hour, 30 minutes');
    expect(formatExpiry(3600, 'ja')).toBe('1時間');
    expect(formatExpiry(259200, 'zh')).toBe('3天');
  });

  it('canonicalises tags, refuses malformed ones and falls back to a shipped language', () => {
    expect(canonicalLanguage('pt-br')).toBe('pt-BR');
    expect(canonicalLanguage('zh-hant-tw')).toBe('zh-Hant-TW');
    expect(canonicalLanguage('e_n')).toBeNull();
    expect(canonicalLanguage('')).toBeNull();
    expect(shippedLanguageOf('zh-Hant-TW')).toBe('zh');
    expect(shippedLanguageOf('sv')).toBeNull();
  });

  it('reads Accept-Language by quality, among the shipped languages', () => {
    expect(fromAcceptLanguage('sv, fr;q=0.5, de;q=0.8')).toBe('de');
    expect(fromAcceptLanguage('ja-JP,ja;q=0.9,en-US;q=0.8')).toBe('ja');
    expect(fromAcceptLanguage('sv, *;q=0.1')).toBeNull();
    expect(fromAcceptLanguage('de;q=0, fr')).toBe('fr');
  });
});

describe('the shipped texts', () => {
  const LANGS = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ja', 'zh'] as const;
  const TYPES = ['verifyemail', 'emailchanged', 'emailchangereverted'] as const;

  it.each(TYPES)('of %s pass the save-time check in every language, and render without a placeholder left', async (type) => {
    for (const lang of LANGS) {
      const fields = shippedMessage(type, lang);
      expect(() => checkMessageFields(fields)).not.toThrow();
      expect(fields.subject && fields.title && fields.text && fields.greeting).toBeTruthy();
      const mail = await renderMessage({ fields, language: lang, layout: shippedLayout(lang), variables: VARS });
      expect(mail.text).not.toContain('{{');
      expect(mail.html).not.toContain('{{');
    }
  });

  it('a text naming an unknown variable is never rendered with the placeholder left in (it throws)', async () => {
    await expect(
      renderMessage({
        fields: { ...shippedMessage('verifyemail', 'en'), text: '{{.Nope}}' },
        language: 'en',
        layout: shippedLayout('en'),
        variables: VARS,
      }),
    ).rejects.toThrow(/can't evaluate field Nope/);
  });
});
