import type { TemplateDelegate } from 'handlebars';
import { AppError, Code } from '../common/errors/app-error.js';
import { lazy } from '../common/lazy.js';
import { textDirection, type ShippedLanguage } from '../texts/languages.js';
import { shippedPage, type PageTexts } from '../texts/shipped-texts.js';

// The hosted verification page (spec §5: scanner-safe links). Server-rendered, no JavaScript,
// one form; Handlebars escapes every value. The templates are compiled at the first page
// asked for: an instance whose links point elsewhere never loads Handlebars. The words are the
// visitor's language's (spec §8: chosen from ?lang=, then Accept-Language, never from the user).
const LAYOUT = `<!doctype html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{title}}</title>
<style>
  body { margin: 0; padding: 2rem 1rem; background: #f4f5f7; color: #1f2328; font: 16px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
  main { max-width: 28rem; margin: 0 auto; background: #fff; border-radius: 8px; padding: 2rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { font-size: 1.4rem; margin: 0 0 1rem; }
  label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
  input[type=text] { box-sizing: border-box; width: 100%; padding: .6rem; font: 1.25rem/1.2 ui-monospace, monospace; letter-spacing: .15em; border: 1px solid #8c959f; border-radius: 6px; }
  button { margin-top: 1.25rem; width: 100%; padding: .75rem; font-size: 1rem; font-weight: 600; color: #fff; background: #1f6feb; border: 0; border-radius: 6px; cursor: pointer; }
  button:focus-visible, input:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
  .ok { color: #1a7f37; } .error { color: #cf222e; }
</style>
</head>
<body>
<main>
{{{body}}}
</main>
</body>
</html>
`;

const FORM = `<h1>{{t.formTitle}}</h1>
<p>{{t.formIntro}}</p>
<form method="post" action="{{action}}">
  <input type="hidden" name="userId" value="{{userId}}">
  <input type="hidden" name="organization" value="{{organization}}">
  <input type="hidden" name="lang" value="{{lang}}">
  <label for="code">{{t.codeLabel}}</label>
  <input type="text" id="code" name="code" value="{{code}}" required maxlength="20" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false">
  <button type="submit">{{t.button}}</button>
</form>`;

const RESULT = `<h1 class="{{cls}}">{{heading}}</h1>
<p role="status">{{message}}</p>`;

interface Templates {
  layout: TemplateDelegate;
  form: TemplateDelegate;
  result: TemplateDelegate;
}

const compiled = lazy(() =>
  import('handlebars').then(({ default: Handlebars }): Templates => ({
    layout: Handlebars.compile(LAYOUT),
    form: Handlebars.compile(FORM),
    result: Handlebars.compile(RESULT),
  })),
);

export const VERIFY_PATH = '/ui/v2/login/verify';

const page = (lang: ShippedLanguage, title: string, body: string, layout: TemplateDelegate) =>
  layout({ lang, dir: textDirection(lang), title, body });

export async function verifyFormPage(lang: ShippedLanguage, v: { userId: string; organization: string; code: string }): Promise<string> {
  const { layout, form } = await compiled();
  const t = shippedPage(lang);
  return page(lang, t.formTitle, form({ ...v, t, lang, action: VERIFY_PATH }), layout);
}

export async function verifiedPage(lang: ShippedLanguage): Promise<string> {
  const { layout, result } = await compiled();
  const t = shippedPage(lang);
  return page(lang, t.verifiedTitle, result({ cls: 'ok', heading: t.verifiedTitle, message: t.verifiedMessage }), layout);
}

/** A refusal, its message one of the page's texts. */
export async function failedPage(
  lang: ShippedLanguage,
  message: keyof Pick<PageTexts, 'incompleteLink' | 'invalidCode'> | { text: string },
): Promise<string> {
  const { layout, result } = await compiled();
  const t = shippedPage(lang);
  const text = typeof message === 'string' ? t[message] : message.text;
  return page(lang, t.failedTitle, result({ cls: 'error', heading: t.failedTitle, message: text }), layout);
}

/**
 * The hosted page's rendering of a mapped error. Whatever the client did wrong (wrong, expired or
 * used code, unknown user, too many attempts) reads the same, so the page tells an attacker
 * nothing; an unexpected error shows its incident ID, as every transport answers it.
 */
export function pageFailure(error: AppError): { status: number; message: string } {
  if (error.code === Code.INTERNAL) {
    return { status: 500, message: `The code could not be checked right now. Try again later (${error.id}).` };
  }
  return {
    status: error.code === Code.RESOURCE_EXHAUSTED ? 429 : 400,
    message: 'This code is invalid or has expired. Request a new code and try again.',
  };
}

/** Headers of every hosted page: no framing, no scripts, no referrer carrying the code away. */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

/** Another hosted page in the same layout and headers; `body` is HTML its caller rendered with escaping. */
export async function layoutPage(title: string, body: string): Promise<string> {
  const { layout } = await compiled();
  return layout({ title, body });
}
