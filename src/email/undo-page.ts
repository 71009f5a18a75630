import type { TemplateDelegate } from 'handlebars';
import { lazy } from '../common/lazy.js';
import { layoutPage } from './verify-page.js';

// The hosted page of the undo link (spec §10), scanner-safe as the verification page: GET only
// shows what the button will do; the button's POST undoes the change.

/** Where the undo link of the notice to a replaced address points. */
export const UNDO_PATH = '/ui/v2/login/email/undo';

const FORM = `<h1>Undo the email change</h1>
<p>The contact email of your account was changed. If you did not make this change, undo it:
the address this link was mailed to becomes your account's email again{{#if revokes}}, and every access token of the account is revoked{{/if}}.</p>
<form method="post" action="{{action}}">
  <input type="hidden" name="token" value="{{token}}">
  <button type="submit">Undo the change</button>
</form>`;

const RESULT = `<h1 class="{{cls}}">{{heading}}</h1>
<p role="status">{{message}}</p>`;

const compiled = lazy(() =>
  import('handlebars').then(({ default: Handlebars }): { form: TemplateDelegate; result: TemplateDelegate } => ({
    form: Handlebars.compile(FORM),
    result: Handlebars.compile(RESULT),
  })),
);

export async function undoFormPage(token: string, revokes: boolean): Promise<string> {
  const { form } = await compiled();
  return layoutPage('Undo the email change', form({ token, revokes, action: UNDO_PATH }));
}

export async function undonePage(): Promise<string> {
  const { result } = await compiled();
  return layoutPage(
    'Email change undone',
    result({
      cls: 'ok',
      heading: 'Email change undone',
      message: 'Your previous email address is your account’s email again. You can close this page.',
    }),
  );
}

/** The one answer for an unknown, used or expired link (no oracle about which), and for a limited one. */
export async function undoRefusedPage(limited: boolean): Promise<string> {
  const { result } = await compiled();
  return layoutPage(
    'Undo not possible',
    result({
      cls: 'error',
      heading: 'Undo not possible',
      message: limited
        ? 'Too many attempts. Wait a minute and try again.'
        : 'This link is invalid, was already used or has expired. If your account was changed without your consent, contact your administrator.',
    }),
  );
}
