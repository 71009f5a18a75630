import { loadConfig } from '../config/config.js';
import { AppError } from '../common/errors/app-error.js';
import { UrlTemplates } from './url-templates.js';
import type { UrlTemplateData } from './url-template.js';

const DATA: UrlTemplateData = {
  UserID: '123',
  Code: 'ABC123',
  OrgID: '456',
  LoginName: 'mini',
  DisplayName: 'Mini Mouse',
  PreferredLoginName: 'mini',
  LastEmail: 'old@example.com',
};

const idOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e.id;
    throw e;
  }
  return undefined;
};

describe('UrlTemplates (spec §7.7): the scheme and host come from the template, on the real link too', () => {
  const open = new UrlTemplates(loadConfig({ EXTERNAL_URL: 'https://id.example.com' }));
  const listed = new UrlTemplates(loadConfig({ URL_TEMPLATE_ALLOWED_HOSTS: 'app.example.com' }));

  it.each([
    ['{{.LoginName}}://app.example.com/v?c={{.Code}}', 'EMAIL-uRl5s'],
    ['https://{{.LoginName}}/v?c={{.Code}}', 'EMAIL-uRl6o'],
    ['https://app.example.com{{.LoginName}}/v', 'EMAIL-uRl6o'],
    ['https://app.example.com:{{.Code}}/v', 'EMAIL-uRl5s'],
    ['/relative?c={{.Code}}', 'EMAIL-uRl5s'],
    ['ftp://app.example.com/v?c={{.Code}}', 'EMAIL-uRl5s'],
    ['javascript:alert(1)//{{.Code}}', 'EMAIL-uRl5s'],
  ])('check(%j) → %s', (template, id) => {
    expect(idOf(() => open.check(template))).toBe(id);
  });

  it('accepts values in the path, query and fragment', () => {
    expect(idOf(() => open.check('https://app.example.com/u/{{.UserID}}?c={{.Code}}&n={{.DisplayName}}#{{.LoginName}}'))).toBeUndefined();
  });

  it('the real link: a username that would make the scheme is refused even where the test render passes', () => {
    // a template whose sample renders are fine can still not let a value change the origin
    const template = 'https://app.example.com/v?c={{.Code}}';
    expect(idOf(() => open.link(template, { ...DATA, LoginName: 'javascript:alert(1)//' }))).toBeUndefined();
    expect(new URL(open.link(template, DATA)).origin).toBe('https://app.example.com');
    expect(idOf(() => open.link('https://{{.LoginName}}/v', { ...DATA, LoginName: 'evil.example' }))).toBe('EMAIL-uRl6o');
    expect(idOf(() => open.link('{{.LoginName}}://x/v', { ...DATA, LoginName: 'javascript:alert(1)//' }))).toBe('EMAIL-uRl5s');
  });

  it('the allow-list holds for a caller template, not for the default link on EXTERNAL_URL', () => {
    expect(idOf(() => listed.check('https://evil.example/v?c={{.Code}}'))).toBe('EMAIL-uRl4h');
    expect(idOf(() => listed.check('https://app.example.com/v?c={{.Code}}'))).toBeUndefined();
    expect(new URL(listed.link(null, DATA)).origin).toBe('http://localhost:8080');
    expect(new URL(open.link(undefined, DATA)).origin).toBe('https://id.example.com');
  });
});
