import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { NewAuthorizationBearerInterceptor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { createAdminServiceClient, createManagementServiceClient } from '@zitadel/client/v1';
import { GrpcServer } from '../src/connect/grpc-server.js';
import { startApp, TestApp } from './support/app.js';
import { Api, gql, graphqlFailure, rest, restFailure, type HttpResult } from './support/client.js';
import type { ReceivedMail } from './support/smtp-sink.js';
import { updateUserVia } from './support/update-user.js';

/**
 * Message texts (spec §8): users' languages, the shipped texts, custom texts per organisation
 * and instance through ZITADEL's management/admin API (REST, GraphQL, Connect, gRPC), their
 * save-time validation and permissions, the preview, and the mails as the SMTP sink receives them.
 */

let t: TestApp;
let admin: Api;
let orgA: string;
let orgB: string;
let ownerA: string;
let managerA: string;
let viewerA: string;
let ownerB: string;
let grpcPort: number;
let n = 0;

const CUSTOM_DE = {
  title: 'Willkommen bei Acme',
  preHeader: 'Ein Schritt fehlt noch',
  subject: 'Acme: Bitte bestätigen, {{.FirstName}}',
  greeting: 'Moin {{.DisplayName}},',
  text: 'bitte bestätige deine Adresse bei {{.OrgName}} mit dem Code {{.Code}} (gültig {{.Expiry}}).',
  buttonText: 'Jetzt bestätigen',
  footerText: 'Acme GmbH · Hafenstraße 1',
};

const mgmt = (type: string, lang: string) => `/management/v1/text/message/${type}/${lang}`;
const adminPath = (type: string, lang: string) => `/admin/v1/text/message/${type}/${lang}`;

/** A user of `orgId` with a language, whose address gets a verification mail; returns the mail. */
async function mailedUser(orgId: string, language: string | undefined, extra: Record<string, unknown> = {}) {
  const username = `texts-${++n}`;
  const email = `${username}@example.com`;
  const r = await admin.addHumanUser({
    username,
    organization: { orgId },
    profile: { givenName: `Given${n}`, familyName: 'Family', ...(language ? { preferredLanguage: language } : {}) },
    email: { email, sendCode: {} },
    ...extra,
  });
  expect(r.status).toBe(200);
  const mail = await t.sink.waitForMailTo(email);
  return { userId: r.body.userId as string, username, email, mail };
}

const contentLanguage = (mail: ReceivedMail) => mail.parsed.headers.get('content-language');
const htmlLang = (mail: ReceivedMail) => /<html lang="([^"]+)" dir="([^"]+)">/.exec(mail.html)?.slice(1);

beforeAll(async () => {
  t = await startApp();
  grpcPort = await t.app.get(GrpcServer).listen(0, '127.0.0.1');
  admin = new Api(t.url, t.adminToken);
  orgA = await admin.addOrganization('Acme Texts');
  orgB = await admin.addOrganization('Other Texts');
  const member = async (org: string, role: string) => {
    const { userId } = await admin.addUniqueUser(org, role.toLowerCase());
    await admin.addMember(org, userId, [role]);
    return admin.addPat(userId);
  };
  ownerA = await member(orgA, 'ORG_OWNER');
  managerA = await member(orgA, 'ORG_USER_MANAGER');
  viewerA = await member(orgA, 'ORG_USER_VIEWER');
  ownerB = await member(orgB, 'ORG_OWNER');
});

afterAll(async () => {
  await t?.close();
});

describe('a user’s language', () => {
  it.each(['rest', 'graphql'] as const)('is set by AddHumanUser and shown by GetUserByID, canonical (%s)', async (transport) => {
    const username = `lang-${transport}`;
    let userId: string;
    if (transport === 'rest') {
      const r = await admin.addHumanUser({
        username,
        organization: { orgId: orgA },
        profile: { givenName: 'Lena', familyName: 'Lang', preferredLanguage: 'de-ch' },
        email: { email: `${username}@example.com`, returnCode: {} },
      });
      expect(r.status).toBe(200);
      userId = r.body.userId;
      expect((await admin.getUser(userId)).body.user.human.profile).toEqual({
        givenName: 'Lena',
        familyName: 'Lang',
        displayName: 'Lena Lang',
        preferredLanguage: 'de-CH',
      });
    } else {
      const r = await gql(
        t.url,
        `mutation($i: AddHumanUserInput!) { addHumanUser(input: $i) { userId } }`,
        {
          i: {
            username,
            organization: { orgId: orgA },
            profile: { givenName: 'Lena', familyName: 'Lang', preferredLanguage: 'de-ch' },
            email: { email: `${username}@example.com`, returnCode: true },
          },
        },
        t.adminToken,
      );
      userId = r.body.data.addHumanUser.userId;
      const q = await gql(
        t.url,
        `query($id: ID!) { user(id: $id) { human { profile { preferredLanguage } } } }`,
        { id: userId },
        t.adminToken,
      );
      expect(q.body.data.user.human.profile.preferredLanguage).toBe('de-CH');
    }
  });

  it('is "und" when the user has none, as ZITADEL shows it', async () => {
    const { userId } = await admin.addUniqueUser(orgA, 'nolang');
    expect((await admin.getUser(userId)).body.user.human.profile.preferredLanguage).toBe('und');
  });

  it('refuses a tag that is not BCP 47 (LANG-lg4DP) and one over 10 characters (proto rule), on REST and GraphQL', async () => {
    const body = (preferredLanguage: string) => ({
      username: `bad-lang-${++n}`,
      organization: { orgId: orgA },
      profile: { givenName: 'B', familyName: 'L', preferredLanguage },
      email: { email: `bad-lang-${n}@example.com`, returnCode: {} },
    });
    const bad = restFailure(await admin.addHumanUser(body('not a tag!')));
    expect([bad.httpStatus, bad.id, bad.message]).toEqual([400, 'LANG-lg4DP', 'Language is not supported (LANG-lg4DP)']);
    const long = restFailure(await admin.addHumanUser(body('de-CH-1901-x')));
    expect([long.httpStatus, long.message]).toEqual([
      400,
      'invalid AddHumanUserRequest.Profile: embedded message failed validation | caused by: invalid SetHumanProfile.PreferredLanguage: value length must be at most 10 runes',
    ]);
    const g = await gql(
      t.url,
      `mutation($i: AddHumanUserInput!) { addHumanUser(input: $i) { userId } }`,
      { i: { ...body('x_y'), email: { email: `g${n}@example.com`, returnCode: true } } },
      t.adminToken,
    );
    expect(graphqlFailure('addHumanUser', g)).toMatchObject({ httpStatus: 400, id: 'LANG-lg4DP' });
  });

  it.each(['rest', 'graphql'] as const)(
    'is changed by UpdateUser, stored canonical; a malformed tag is refused (LANG-lg4DP) and changes nothing; the next mail speaks it (%s)',
    async (transport) => {
      const { userId } = await admin.addUniqueUser(orgA, `upd-lang-${transport}`);
      const bad = await updateUserVia(admin, transport, userId, { human: { profile: { preferredLanguage: 'not a tag' } } });
      expect(bad).toMatchObject({ ok: false, httpStatus: 400, id: 'LANG-lg4DP' });
      expect((await admin.getUser(userId)).body.user.human.profile.preferredLanguage).toBe('und');
      const ok = await updateUserVia(admin, transport, userId, { human: { profile: { preferredLanguage: 'fr-ca' } } });
      expect(ok.ok).toBe(true);
      expect((await admin.getUser(userId)).body.user.human.profile.preferredLanguage).toBe('fr-CA');
      const email = `upd-lang-${transport}-${++n}@example.com`;
      expect((await updateUserVia(admin, transport, userId, { human: { email: { email, sendCode: {} } } })).ok).toBe(true);
      const mail = await t.sink.waitForMailTo(email);
      expect(contentLanguage(mail)).toBe('fr');
      expect(mail.text).toMatch(/&lang=fr-CA/);
    },
  );

  it('goes into the default verification link as &lang=', async () => {
    const { mail } = await mailedUser(orgB, 'pt-BR');
    expect(mail.text).toMatch(/\/ui\/v2\/login\/verify\?code=[A-Z0-9]+&organization=\d+&userId=\d+&lang=pt-BR/);
  });
});

describe('the mail a user gets', () => {
  beforeAll(async () => {
    const r = await rest(t.url, 'PUT', mgmt('verifyemail', 'de'), CUSTOM_DE, ownerA, { 'x-zitadel-orgid': orgA });
    expect(r.status).toBe(200);
  });

  it('German user, organisation with a custom German text: that text, in both parts', async () => {
    const { mail, userId } = await mailedUser(orgA, 'de');
    const code = /Code ([A-Z0-9]{6})/.exec(mail.text)?.[1];
    expect(mail.subject).toBe(`Acme: Bitte bestätigen, Given${n}`);
    expect(mail.text).toContain(`Moin Given${n} Family,`);
    expect(mail.text).toContain(`bitte bestätige deine Adresse bei Acme Texts mit dem Code ${code} (gültig 1 Stunde).`);
    expect(mail.text).toContain('Jetzt bestätigen: http://verify.test/ui/v2/login/verify?code=');
    expect(mail.text).toContain('Acme GmbH · Hafenstraße 1');
    expect(mail.html).toContain('>Jetzt bestätigen</a>');
    expect(mail.html).toContain('Ein Schritt fehlt noch');
    expect(mail.html).toContain(`&amp;userId&#x3D;${userId}&amp;lang&#x3D;de`);
    expect(contentLanguage(mail)).toBe('de');
    expect(htmlLang(mail)).toEqual(['de', 'ltr']);
  });

  it('French user of the same organisation: the shipped French text', async () => {
    const { mail } = await mailedUser(orgA, 'fr');
    expect(mail.subject).toBe('Confirmez votre adresse e-mail');
    expect(mail.text).toMatch(
      /Veuillez la confirmer à l'aide du bouton ci-dessous ou avec le code [A-Z0-9]{6}\. Le code est valable 1\u00a0heure\./,
    );
    expect(mail.html).toContain('>Confirmer l&#x27;adresse e-mail</a>');
    expect(contentLanguage(mail)).toBe('fr');
    expect(htmlLang(mail)).toEqual(['fr', 'ltr']);
  });

  it('German user of another organisation: the shipped German text', async () => {
    const { mail } = await mailedUser(orgB, 'de');
    expect(mail.subject).toBe('Bitte bestätigen Sie Ihre E-Mail-Adresse');
    expect(mail.text).toContain('Der Code ist 1 Stunde gültig.');
    expect(mail.text).not.toContain('Acme');
    expect(contentLanguage(mail)).toBe('de');
  });

  it('a regional tag falls back to its language; a language not shipped, and none, to DEFAULT_LANGUAGE (en)', async () => {
    expect((await mailedUser(orgB, 'de-AT')).mail.subject).toBe('Bitte bestätigen Sie Ihre E-Mail-Adresse');
    for (const lang of ['sv', undefined]) {
      const { mail } = await mailedUser(orgB, lang);
      expect(mail.subject).toBe('Verify email');
      expect(mail.text).toMatch(/A new email has been added\. Please use the button below to verify your email\. \(Code [A-Z0-9]{6}\)/);
      expect(contentLanguage(mail)).toBe('en');
    }
  });

  it('ships the verify-email text in all ten languages', async () => {
    const subjects: Record<string, string> = {};
    for (const lang of ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ja', 'zh']) {
      const { mail } = await mailedUser(orgB, lang);
      expect(contentLanguage(mail)).toBe(lang);
      expect(mail.text).toMatch(/[A-Z0-9]{6}/);
      subjects[lang] = mail.subject;
    }
    expect(new Set(Object.values(subjects)).size).toBe(10);
    expect(subjects.ja).toBe('メールアドレスの確認');
  });

  it('resolves field by field: organisation → instance → shipped', async () => {
    const org = await admin.addOrganization(`Fields ${++n}`);
    expect(
      (
        await rest(t.url, 'PUT', mgmt('verifyemail', 'it'), { subject: 'Oggetto di {{.OrgName}}' }, t.adminToken, {
          'x-zitadel-orgid': org,
        })
      ).status,
    ).toBe(200);
    expect(
      (await rest(t.url, 'PUT', adminPath('verifyemail', 'it'), { greeting: 'Salve {{.FirstName}},', subject: 'instance' }, t.adminToken))
        .status,
    ).toBe(200);
    try {
      const { mail } = await mailedUser(org, 'it');
      expect(mail.subject).toBe(`Oggetto di Fields ${n - 1}`);
      expect(mail.text).toContain(`Salve Given${n},`);
      expect(mail.text).toContain('Il codice è valido per 1 ora.');
      // the instance text also reaches an organisation without its own
      expect((await mailedUser(orgB, 'it')).mail.subject).toBe('instance');
    } finally {
      expect((await rest(t.url, 'DELETE', adminPath('verifyemail', 'it'), undefined, t.adminToken)).status).toBe(200);
    }
  });

  it('escapes a custom text in the HTML part: a text cannot add markup', async () => {
    const org = await admin.addOrganization(`Markup ${++n}`);
    const evil = '<b>bold</b><script>alert(1)</script><a href="https://evil.example">x</a> {{.Code}}';
    expect(
      (
        await rest(t.url, 'PUT', mgmt('verifyemail', 'en'), { text: evil, title: '<img src=x onerror=alert(1)>' }, t.adminToken, {
          'x-zitadel-orgid': org,
        })
      ).status,
    ).toBe(200);
    const { mail } = await mailedUser(org, 'en');
    expect(mail.html).not.toMatch(/<script|<b>|<img|href="https:\/\/evil/);
    expect(mail.html).toContain('&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;');
    expect(mail.text).toMatch(/<b>bold<\/b><script>alert\(1\)<\/script><a href="https:\/\/evil.example">x<\/a> [A-Z0-9]{6}/);
  });

  it('the address-changed notice is customisable under our own type "emailchanged"', async () => {
    const app = await startApp({ EMAIL_NOTIFY_PREVIOUS: 'true' }, { db: t.db, sink: t.sink });
    try {
      const api = new Api(app.url, app.adminToken);
      expect(
        (
          await rest(app.url, 'PUT', mgmt('emailchanged', 'nl'), { subject: 'Adres gewijzigd bij {{.OrgName}}' }, app.adminToken, {
            'x-zitadel-orgid': orgA,
          })
        ).status,
      ).toBe(200);
      const username = `notice-${++n}`;
      const r = await api.addHumanUser({
        username,
        organization: { orgId: orgA },
        profile: { givenName: 'N', familyName: 'L', preferredLanguage: 'nl' },
        email: { email: `${username}@example.com`, isVerified: true },
      });
      expect((await api.emailOp('rest', 'setEmail', r.body.userId, { email: `${username}-new@example.com`, returnCode: {} })).ok).toBe(
        true,
      );
      const notice = await t.sink.waitForMailTo(`${username}@example.com`);
      expect(notice.subject).toBe('Adres gewijzigd bij Acme Texts');
      expect(notice.text).toContain('Het contact-e-mailadres van je account is gewijzigd.');
      expect(contentLanguage(notice)).toBe('nl');
    } finally {
      await app.close();
    }
  });
});

describe('custom texts, ZITADEL’s API', () => {
  it('management: set, get, get default, reset, over REST with x-zitadel-orgid', async () => {
    const org = await admin.addOrganization(`Crud ${++n}`);
    const h = { 'x-zitadel-orgid': org };
    const before = await rest(t.url, 'GET', mgmt('verifyemail', 'es'), undefined, t.adminToken, h);
    expect(before.status).toBe(200);
    expect(before.body.customText).toMatchObject({ subject: 'Verifica tu dirección de correo electrónico', isDefault: true });
    const set = await rest(t.url, 'PUT', mgmt('verifyemail', 'es'), { subject: 'Hola', button_text: 'Vamos' }, t.adminToken, h);
    expect(set.status).toBe(200);
    expect(set.body.details).toMatchObject({ sequence: '1', resourceOwner: org });
    const got = await rest(t.url, 'GET', mgmt('verifyemail', 'es'), undefined, t.adminToken, h);
    expect(got.body.customText).toEqual({
      details: expect.objectContaining({ sequence: '1', resourceOwner: org }),
      title: '',
      preHeader: '',
      subject: 'Hola',
      greeting: '',
      text: '',
      buttonText: 'Vamos',
      footerText: '',
      isDefault: false,
    });
    const def = await rest(t.url, 'GET', `/management/v1/text/default/message/verifyemail/es`, undefined, t.adminToken, h);
    expect(def.body.customText).toMatchObject({ subject: 'Verifica tu dirección de correo electrónico', isDefault: true });
    const reset = await rest(t.url, 'DELETE', mgmt('verifyemail', 'es'), undefined, t.adminToken, h);
    expect(reset.status).toBe(200);
    expect(reset.body.details.sequence).toBe('2');
    expect((await rest(t.url, 'GET', mgmt('verifyemail', 'es'), undefined, t.adminToken, h)).body.customText.isDefault).toBe(true);
    const again = restFailure(await rest(t.url, 'DELETE', mgmt('verifyemail', 'es'), undefined, t.adminToken, h));
    expect([again.httpStatus, again.id]).toEqual([404, 'TEXT-n0tFd1']);
  });

  it('management without x-zitadel-orgid acts on the caller’s own organisation', async () => {
    expect((await rest(t.url, 'PUT', mgmt('verifyemail', 'pl'), { title: 'Tytuł A' }, ownerA)).status).toBe(200);
    const got = await rest(t.url, 'GET', mgmt('verifyemail', 'pl'), undefined, t.adminToken, { 'x-zitadel-orgid': orgA });
    expect(got.body.customText).toMatchObject({ title: 'Tytuł A', isDefault: false });
  });

  it('admin: the instance’s text, and the shipped default', async () => {
    const shipped = await rest(t.url, 'GET', '/admin/v1/text/default/message/verifyemail/ja', undefined, t.adminToken);
    expect(shipped.body.customText).toMatchObject({
      title: 'メールアドレスの確認',
      buttonText: 'メールアドレスを確認する',
      isDefault: true,
    });
    expect((await rest(t.url, 'PUT', adminPath('verifyemail', 'zh'), { footerText: '实例页脚' }, t.adminToken)).status).toBe(200);
    expect((await rest(t.url, 'GET', adminPath('verifyemail', 'zh'), undefined, t.adminToken)).body.customText).toMatchObject({
      footerText: '实例页脚',
      isDefault: false,
    });
    // what an organisation without its own text sees as its default
    expect(
      (await rest(t.url, 'GET', '/management/v1/text/default/message/verifyemail/zh', undefined, ownerB)).body.customText,
    ).toMatchObject({
      footerText: '实例页脚',
      isDefault: true,
    });
    expect((await rest(t.url, 'DELETE', adminPath('verifyemail', 'zh'), undefined, t.adminToken)).status).toBe(200);
  });

  it('GraphQL: set, read and reset an organisation’s and the instance’s text', async () => {
    const set = await gql(
      t.url,
      `mutation($i: SetOrgMessageTextInput!) { setOrgMessageText(input: $i) { details { sequence resourceOwner } } }`,
      { i: { type: 'verifyemail', language: 'nl', organizationId: orgB, subject: 'GraphQL {{.UserName}}' } },
      ownerB,
    );
    expect(set.body.data.setOrgMessageText.details).toEqual({ sequence: '1', resourceOwner: orgB });
    const got = await gql(
      t.url,
      `query($i: OrgMessageTextKeyInput!) { orgMessageText(input: $i) { subject isDefault details { sequence } } }`,
      { i: { type: 'verifyemail', language: 'nl' } },
      ownerB,
    );
    expect(got.body.data.orgMessageText).toEqual({ subject: 'GraphQL {{.UserName}}', isDefault: false, details: { sequence: '1' } });
    const reset = await gql(
      t.url,
      `mutation($i: OrgMessageTextKeyInput!) { resetOrgMessageText(input: $i) { details { sequence } } }`,
      { i: { type: 'verifyemail', language: 'nl' } },
      ownerB,
    );
    expect(reset.body.data.resetOrgMessageText.details.sequence).toBe('2');
    const inst = await gql(
      t.url,
      `mutation($i: SetInstanceMessageTextInput!) { setInstanceMessageText(input: $i) { details { sequence } } }`,
      { i: { type: 'emailchangereverted', language: 'en', subject: 'Undone' } },
      t.adminToken,
    );
    expect(inst.body.data.setInstanceMessageText.details.sequence).toBe('1');
    const shipped = await gql(
      t.url,
      `query($i: InstanceMessageTextKeyInput!) { instanceMessageText(input: $i) { subject isDefault } shippedMessageText(input: $i) { subject } }`,
      { i: { type: 'emailchangereverted', language: 'en' } },
      t.adminToken,
    );
    expect(shipped.body.data).toEqual({
      instanceMessageText: { subject: 'Undone', isDefault: false },
      shippedMessageText: { subject: 'The change of your email address was undone' },
    });
  });

  describe('validation at save time', () => {
    const put = (body: unknown, lang = 'en', type = 'verifyemail') => rest(t.url, 'PUT', mgmt(type, lang), body, ownerA);

    it('an unknown variable: 400 naming the field and the position', async () => {
      const f = restFailure(await put({ subject: 'ok', text: 'Hi {{.FirstName}}, {{.Password}}' }));
      expect([f.httpStatus, f.grpcCode, f.id]).toEqual([400, 3, 'TEXT-tmpl01']);
      expect(f.message).toBe(
        'Text template is invalid: text at character 20: unknown variable {{.Password}} (known: Code, URL, DisplayName, FirstName, LastName, UserName, LoginName, PreferredLoginName, OrgName, Expiry) (TEXT-tmpl01)',
      );
    });

    it('a syntax error: 400 naming the field and the position', async () => {
      const f = restFailure(await put({ greeting: 'Hallo {{.DisplayName}', text: 'x' }));
      expect(f.id).toBe('TEXT-tmpl01');
      expect(f.message).toMatch(/^Text template is invalid: greeting at character 21: unexpected U\+007D '\}' in action/);
      const g = restFailure(await put({ buttonText: '{{if .Code}}x{{end}}' }));
      expect(g.message).toMatch(/^Text template is invalid: buttonText at character 3: /);
    });

    it('over GraphQL and Connect the same error', async () => {
      const g = await gql(
        t.url,
        `mutation($i: SetOrgMessageTextInput!) { setOrgMessageText(input: $i) { details { sequence } } }`,
        { i: { type: 'verifyemail', language: 'en', title: '{{.Nope}}' } },
        ownerA,
      );
      expect(graphqlFailure('setOrgMessageText', g)).toMatchObject({ httpStatus: 400, id: 'TEXT-tmpl01' });
      const client = createManagementServiceClient(createServerTransport(ownerA, { baseUrl: `http://127.0.0.1:${grpcPort}` }));
      const err = await client.setCustomVerifyEmailMessageText({ language: 'en', title: '{{.Nope}}' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.InvalidArgument);
      expect((err as ConnectError).rawMessage).toMatch(/^Text template is invalid: title at character 1: unknown variable \{\{\.Nope\}\}/);
    });

    it('size limits of ZITADEL’s request on every field', async () => {
      const limits = { title: 2000, preHeader: 2000, subject: 2000, greeting: 4000, text: 40000, buttonText: 4000, footerText: 8000 };
      for (const [field, max] of Object.entries(limits)) {
        expect((await put({ [field]: 'é'.repeat(max / 2) })).status).toBe(200);
        const f = restFailure(await put({ [field]: 'é'.repeat(max / 2) + 'x' }));
        expect([f.httpStatus, f.message]).toEqual([
          400,
          `invalid SetCustomMessageTextRequest.${field[0]!.toUpperCase()}${field.slice(1)}: value length must be at most ${max} bytes`,
        ]);
      }
      await rest(t.url, 'DELETE', mgmt('verifyemail', 'en'), undefined, ownerA);
    });

    it('an unknown type, a malformed or undefined language', async () => {
      expect(restFailure(await put({}, 'en', 'passwordreset'))).toMatchObject({
        httpStatus: 400,
        message: 'invalid SetCustomMessageTextRequest.Type: value must be one of verifyemail, emailchanged, emailchangereverted',
      });
      expect(restFailure(await put({}, 'e_n'))).toMatchObject({ httpStatus: 400, id: 'LANG-lg4DP' });
      expect(restFailure(await put({}, 'und'))).toMatchObject({ httpStatus: 400, id: 'LANG-3M9f2' });
    });

    it('a refused text changes nothing', async () => {
      await put({ subject: 'kept' }, 'fr');
      await put({ subject: 'replaced', text: '{{.Bad}}' }, 'fr');
      expect((await rest(t.url, 'GET', mgmt('verifyemail', 'fr'), undefined, ownerA)).body.customText.subject).toBe('kept');
      await rest(t.url, 'DELETE', mgmt('verifyemail', 'fr'), undefined, ownerA);
    });
  });

  describe('permissions: ORG_OWNER for its organisation, IAM_OWNER everywhere', () => {
    const setRest = (token: string, orgId?: string) =>
      rest(t.url, 'PUT', mgmt('verifyemail', 'en'), { subject: 'attack' }, token, orgId ? { 'x-zitadel-orgid': orgId } : {});
    const setGraphQL = (token: string, organizationId?: string) =>
      gql(
        t.url,
        `mutation($i: SetOrgMessageTextInput!) { setOrgMessageText(input: $i) { details { sequence } } }`,
        { i: { type: 'verifyemail', language: 'en', subject: 'attack', organizationId } },
        token,
      );
    const setConnect = (token: string, orgId?: string) => {
      const interceptors: Interceptor[] = [NewAuthorizationBearerInterceptor(token)];
      if (orgId) interceptors.push((next) => (req) => (req.header.set('x-zitadel-orgid', orgId), next(req)));
      const client = createManagementServiceClient(createConnectTransport({ baseUrl: t.url, httpVersion: '1.1', interceptors }));
      return client.setCustomVerifyEmailMessageText({ language: 'en', subject: 'attack' }).then(
        () => ({ code: 0 }),
        (e: ConnectError) => ({ code: e.code as number, message: e.rawMessage }),
      );
    };

    it.each([
      ['manager', () => managerA],
      ['viewer', () => viewerA],
    ])('an organisation %s gets 403 on REST, GraphQL and Connect, and nothing changes', async (_name, token) => {
      expect(restFailure(await setRest(token()))).toMatchObject({ httpStatus: 403, id: 'AUTH-AWfge' });
      expect(graphqlFailure('setOrgMessageText', await setGraphQL(token()))).toMatchObject({ httpStatus: 403, id: 'AUTH-AWfge' });
      expect(await setConnect(token())).toMatchObject({ code: Code.PermissionDenied });
      expect(restFailure(await rest(t.url, 'GET', mgmt('verifyemail', 'en'), undefined, token()))).toMatchObject({ httpStatus: 403 });
      expect(restFailure(await rest(t.url, 'POST', '/v2/mail/preview', { type: 'verifyemail', language: 'en' }, token()))).toMatchObject({
        httpStatus: 403,
      });
      expect((await rest(t.url, 'GET', mgmt('verifyemail', 'en'), undefined, ownerA)).body.customText.isDefault).toBe(true);
    });

    it('the owner of another organisation cannot touch this one (404, as for an organisation it cannot see)', async () => {
      expect(restFailure(await setRest(ownerB, orgA))).toMatchObject({ httpStatus: 404, id: 'AUTHZ-cdgFk' });
      expect(graphqlFailure('setOrgMessageText', await setGraphQL(ownerB, orgA))).toMatchObject({ httpStatus: 404, id: 'AUTHZ-cdgFk' });
      expect(await setConnect(ownerB, orgA)).toMatchObject({ code: Code.NotFound });
      expect((await rest(t.url, 'GET', mgmt('verifyemail', 'en'), undefined, ownerA)).body.customText.isDefault).toBe(true);
    });

    it('an organisation owner cannot set the instance’s texts (403 on REST, GraphQL and Connect)', async () => {
      expect(restFailure(await rest(t.url, 'PUT', adminPath('verifyemail', 'en'), { subject: 'attack' }, ownerA))).toMatchObject({
        httpStatus: 403,
        id: 'AUTH-AWfge',
      });
      const g = await gql(
        t.url,
        `mutation($i: SetInstanceMessageTextInput!) { setInstanceMessageText(input: $i) { details { sequence } } }`,
        { i: { type: 'verifyemail', language: 'en', subject: 'attack' } },
        ownerA,
      );
      expect(graphqlFailure('setInstanceMessageText', g)).toMatchObject({ httpStatus: 403, id: 'AUTH-AWfge' });
      const client = createAdminServiceClient(createServerTransport(ownerA, { baseUrl: `http://127.0.0.1:${grpcPort}` }));
      const err = (await client
        .setDefaultVerifyEmailMessageText({ language: 'en', subject: 'attack' })
        .catch((e: unknown) => e)) as ConnectError;
      expect(err.code).toBe(Code.PermissionDenied);
      expect((await rest(t.url, 'GET', adminPath('verifyemail', 'en'), undefined, t.adminToken)).body.customText.isDefault).toBe(true);
    });

    it('without a token: 401', async () => {
      expect((await rest(t.url, 'GET', mgmt('verifyemail', 'en'))).status).toBe(401);
    });
  });
});

describe('ZITADEL’s own client over Connect and gRPC', () => {
  const transports = [
    ['gRPC', (token: string) => createServerTransport(token, { baseUrl: `http://127.0.0.1:${grpcPort}` })],
    [
      'Connect',
      (token: string) =>
        createConnectTransport({ baseUrl: t.url, httpVersion: '1.1', interceptors: [NewAuthorizationBearerInterceptor(token)] }),
    ],
  ] as const;

  it.each(transports)('sets and reads an organisation’s custom verify-email text (%s)', async (_name, transport) => {
    const client = createManagementServiceClient(transport(ownerB));
    const set = await client.setCustomVerifyEmailMessageText({ language: 'ja', subject: '{{.OrgName}} の確認', buttonText: '確認' });
    expect(set.details?.resourceOwner).toBe(orgB);
    const { customText } = await client.getCustomVerifyEmailMessageText({ language: 'ja' });
    expect(customText).toMatchObject({ subject: '{{.OrgName}} の確認', buttonText: '確認', title: '', isDefault: false });
    expect(customText?.details?.resourceOwner).toBe(orgB);
    const { mail } = await mailedUser(orgB, 'ja');
    expect(mail.subject).toBe('Other Texts の確認');
    const reset = await client.resetCustomVerifyEmailMessageTextToDefault({ language: 'ja' });
    expect(reset.details?.sequence).toBeGreaterThan(1n);
    expect((await client.getCustomVerifyEmailMessageText({ language: 'ja' })).customText?.isDefault).toBe(true);
  });

  it.each(transports)('the admin service’s instance texts (%s)', async (_name, transport) => {
    const client = createAdminServiceClient(transport(t.adminToken));
    expect((await client.getDefaultVerifyEmailMessageText({ language: 'de' })).customText?.subject).toBe(
      'Bitte bestätigen Sie Ihre E-Mail-Adresse',
    );
    await client.setDefaultVerifyEmailMessageText({ language: 'de', footerText: 'Instanz' });
    expect((await client.getCustomVerifyEmailMessageText({ language: 'de' })).customText).toMatchObject({
      footerText: 'Instanz',
      isDefault: false,
    });
    await client.resetCustomVerifyEmailMessageTextToDefault({ language: 'de' });
  });

  it('the services’ other methods answer Unimplemented', async () => {
    const client = createManagementServiceClient(transports[1][1](t.adminToken));
    const err = (await client.getOrgByDomainGlobal({ domain: 'x' }).catch((e: unknown) => e)) as ConnectError;
    expect(err.code).toBe(Code.Unimplemented);
  });
});

describe('preview', () => {
  it.each(['rest', 'graphql'] as const)('renders subject, HTML and text with sample values and sends nothing (%s)', async (transport) => {
    const sent = t.sink.mails.length;
    let r: { subject: string; html: string; text: string; language: string };
    if (transport === 'rest') {
      const res: HttpResult = await rest(
        t.url,
        'POST',
        '/v2/mail/preview',
        { type: 'verifyemail', language: 'de', organizationId: orgA },
        ownerA,
      );
      expect(res.status).toBe(200);
      r = res.body;
    } else {
      const res = await gql(
        t.url,
        `query($i: MailPreviewInput!) { mailPreview(input: $i) { subject html text language } }`,
        { i: { type: 'verifyemail', language: 'de' } },
        ownerA,
      );
      r = res.body.data.mailPreview;
    }
    expect(r.subject).toBe('Acme: Bitte bestätigen, Minnie');
    expect(r.text).toContain('Moin Minnie Mouse,');
    expect(r.text).toContain('bitte bestätige deine Adresse bei Acme Texts mit dem Code K7QD2X (gültig 1 Stunde).');
    expect(r.html).toMatch(/^<!doctype html>\n<html lang="de" dir="ltr">/);
    expect(r.language).toBe('de');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.sink.mails.length).toBe(sent);
  });
});

describe('a change made through one instance', () => {
  it('reaches the mails another instance sends within seconds', async () => {
    const other = await startApp({}, { db: t.db, sink: t.sink });
    try {
      const org = await admin.addOrganization(`Shared ${++n}`);
      const api = new Api(other.url, other.adminToken);
      const mailVia = async (label: string) => {
        const username = `shared-${++n}-${label}`;
        const r = await api.addHumanUser({
          username,
          organization: { orgId: org },
          profile: { givenName: 'S', familyName: 'I', preferredLanguage: 'es' },
          email: { email: `${username}@example.com`, sendCode: {} },
        });
        expect(r.status).toBe(200);
        return (await t.sink.waitForMailTo(`${username}@example.com`)).subject;
      };
      // the other instance has the organisation's (empty) texts in its cache
      expect(await mailVia('before')).toBe('Verifica tu dirección de correo electrónico');
      expect(
        (await rest(t.url, 'PUT', mgmt('verifyemail', 'es'), { subject: 'Nuevo' }, t.adminToken, { 'x-zitadel-orgid': org })).status,
      ).toBe(200);
      const changedAt = Date.now();
      let subject = '';
      while (subject !== 'Nuevo' && Date.now() - changedAt < 5000) subject = await mailVia('after');
      expect(subject).toBe('Nuevo');
      expect(Date.now() - changedAt).toBeLessThan(3000);
    } finally {
      await other.close();
    }
  });
});

describe('the hosted verification page', () => {
  const page = async (query: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/ui/v2/login/verify?${query}`, { headers });
    return { status: res.status, language: res.headers.get('content-language'), vary: res.headers.get('vary'), html: await res.text() };
  };
  const h1 = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1];

  it('speaks the link’s ?lang=, before Accept-Language', async () => {
    const p = await page('userId=1&code=ABC&lang=de', { 'accept-language': 'fr' });
    expect([p.status, p.language, h1(p.html)]).toEqual([200, 'de', 'E-Mail-Adresse bestätigen']);
    expect(p.html).toMatch(/<html lang="de" dir="ltr">/);
    expect(p.html).toContain('<button type="submit">E-Mail-Adresse bestätigen</button>');
    expect(p.html).toContain('<input type="hidden" name="lang" value="de">');
  });

  it('without ?lang= (or with one not shipped) the browser’s Accept-Language, else DEFAULT_LANGUAGE', async () => {
    expect(h1((await page('userId=1', { 'accept-language': 'sv, ja;q=0.8, en;q=0.5' })).html)).toBe('メールアドレスの確認');
    expect(h1((await page('userId=1&lang=sv', { 'accept-language': 'pl' })).html)).toBe('Potwierdź adres e-mail');
    const plain = await page('userId=1');
    expect([plain.language, plain.vary, h1(plain.html)]).toEqual(['en', 'Accept-Language', 'Verify email']);
  });

  it('never looks the user up: a user who exists and one who does not get the same page', async () => {
    const { userId } = await mailedUser(orgB, 'zh');
    const known = await page(`userId=${userId}&code=ABCDEF&organization=${orgB}`);
    const unknown = await page(`userId=100000000000000042&code=ABCDEF&organization=${orgB}`);
    expect(known.language).toBe('en');
    expect(known.html.replace(userId, 'ID')).toBe(unknown.html.replace('100000000000000042', 'ID'));
  });

  it('answers the form’s POST in the language the form carried', async () => {
    const { userId, mail } = await mailedUser(orgB, 'it');
    const code = /code=([A-Z0-9]+)/.exec(mail.text)![1]!;
    const post = (fields: Record<string, string>) =>
      fetch(`${t.url}/ui/v2/login/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      }).then(async (r) => ({ status: r.status, html: await r.text() }));
    const wrong = await post({ userId, organization: orgB, code: 'WRONG1', lang: 'it' });
    expect([wrong.status, h1(wrong.html)]).toEqual([400, 'Verifica non riuscita']);
    expect(wrong.html).toContain('Questo codice non è valido o è scaduto.');
    const ok = await post({ userId, organization: orgB, code, lang: 'it' });
    expect([ok.status, h1(ok.html)]).toEqual([200, 'Email verificata']);
  });
});
