import 'reflect-metadata';
import fc from 'fast-check';
import type { AppConfig } from '../../config/config.js';
import { ResendEmailCodeInput, SendEmailCodeInput, VerifyEmailInput } from '../../email/inputs/email-code.input.js';
import { SetEmailInput } from '../../email/inputs/set-email.input.js';
import { UrlTemplates } from '../../email/url-templates.js';
import { AddHumanUserInput } from '../../accounts/inputs/add-human-user.input.js';
import { AppError, Code } from '../errors/app-error.js';
import { InputChecks, isPgvEmail, validateInput } from './validation.js';

/**
 * Property-based fuzzing of request validation: whatever JSON a client sends, validateInput
 * answers with the input class or with InvalidArgument (code 3) — never with another exception,
 * which the error filter would turn into a 500. isPgvEmail never throws.
 */

const RUNS = 500;
const noChecks: InputChecks = { urlTemplate: () => undefined };

// --- JSON-ish values, as JSON.parse produces them (own __proto__ keys included) ---------------

/** A hostile or ordinary string: lone surrogates, NUL, CR/LF, template syntax, addresses. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    '\udfff',
    'a@b.c\r\nBcc: x@y.z',
    'mini@mouse.com',
    'Mini <mini@mouse.com>',
    '{{.Code}}',
    '{{',
    'https://x.test/?c={{.Code}}',
    'toString',
    '__proto__',
  ),
  fc.emailAddress(),
  fc.string({ minLength: 190, maxLength: 260 }),
);

/** Keys a hostile client would try: the inputs' own fields, prototype keys, snake_case, anything. */
const key = fc.oneof(
  fc.constantFrom(
    'userId',
    'email',
    'sendCode',
    'returnCode',
    'isVerified',
    'urlTemplate',
    'idempotencyKey',
    'verificationCode',
    'username',
    'profile',
    'organization',
    'orgId',
    'givenName',
    'familyName',
    'displayName',
  ),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'verification',
    'checkInput',
    '__defineGetter__',
  ),
  fc.string(),
);

/** JSON text of a random value, parsed back with JSON.parse: exactly what a request body can hold. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', 'false', '0', '-1', '1e400', '5', '1.5'),
    hostileString.map((s) => JSON.stringify(s)),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(key, tie('value')), { maxLength: 6 })
      .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;
const jsonValue = jsonText.map((t) => JSON.parse(t) as unknown);

/** A body shaped like SetEmail's (every field present or not, any type) so validation gets past the first field. */
const fieldValue = fc.oneof(hostileString, jsonValue, fc.constant(null), fc.constant(undefined), fc.boolean());
const setEmailLike = fc.record(
  {
    userId: fc.oneof(fc.constantFrom('123', '648266337071687668'), fieldValue),
    email: fc.oneof(fc.emailAddress(), fieldValue),
    sendCode: fc.oneof(fc.record({ urlTemplate: fieldValue }, { requiredKeys: [] }), fieldValue),
    returnCode: fieldValue,
    isVerified: fieldValue,
    idempotencyKey: fieldValue,
    verificationCode: fieldValue,
  },
  { requiredKeys: [] },
);
const anyBody = fc.oneof(jsonValue, setEmailLike, fc.constant(undefined));

/** What validateInput did: the instance, or the thrown error classified. */
function outcome(
  cls: new () => object,
  plain: unknown,
  checks: InputChecks = noChecks,
): { ok: true } | { ok: false; appErrorCode?: Code; thrown?: string } {
  try {
    const input = validateInput(cls, plain, checks);
    if (!(input instanceof cls)) return { ok: false, thrown: `returned a ${Object.prototype.toString.call(input)}` };
    return { ok: true };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, appErrorCode: e.code };
    return { ok: false, thrown: `${(e as Error)?.name}: ${(e as Error)?.message}` };
  }
}

/** The property: an instance, or an AppError with code 3 — nothing else. */
function expectInstanceOrInvalidArgument(cls: new () => object, plain: unknown, checks?: InputChecks): void {
  const o = outcome(cls, plain, checks);
  if (!o.ok && o.appErrorCode !== Code.INVALID_ARGUMENT) {
    throw new Error(`validateInput(${cls.name}) threw ${o.thrown ?? `AppError code ${o.appErrorCode}`} for ${safeJson(plain)}`);
  }
}

const safeJson = (v: unknown) => {
  try {
    return JSON.stringify(v)?.slice(0, 300);
  } catch {
    return String(v);
  }
};

describe('validateInput, fuzzed', () => {
  it('SetEmailInput: any JSON value → an instance or InvalidArgument, never another exception', () => {
    fc.assert(
      fc.property(anyBody, (plain) => expectInstanceOrInvalidArgument(SetEmailInput, plain)),
      { numRuns: RUNS },
    );
  });

  it('SetEmailInput: well-formed bodies come back as instances with the same email', () => {
    const valid = fc.record({
      userId: fc.string({ minLength: 1, maxLength: 20 }),
      email: fc.constantFrom('mini@mouse.com', 'a.b+c@sub.example.co', 'x@example.com'),
      mode: fc.constantFrom('send', 'return', 'verified', 'none'),
      // unknown fields are ignored (protojson-style); hostile keys have their own property above
      extra: fc.dictionary(
        fc
          .string()
          .filter(
            (k) =>
              ![
                'userId',
                'email',
                'sendCode',
                'returnCode',
                'isVerified',
                'idempotencyKey',
                '__proto__',
                'constructor',
                'verification',
                'checkInput',
              ].includes(k),
          ),
        fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
        { maxKeys: 3 },
      ),
    });
    fc.assert(
      fc.property(valid, ({ userId, email, mode, extra }) => {
        const body: Record<string, unknown> = { ...extra, userId, email };
        if (mode === 'send') body.sendCode = { urlTemplate: 'https://x.test/?c={{.Code}}' };
        if (mode === 'return') body.returnCode = true;
        if (mode === 'verified') body.isVerified = true;
        const input = validateInput(SetEmailInput, body, noChecks);
        expect(input).toBeInstanceOf(SetEmailInput);
        expect(input.email).toBe(email);
        expect(input.verification.kind).toBe(mode === 'none' ? 'send' : mode === 'return' ? 'return' : mode);
      }),
      { numRuns: RUNS },
    );
  });

  it('SetEmailInput with the real URL template check (allow-list on): an instance or InvalidArgument', () => {
    const templates = new UrlTemplates({ externalUrl: 'http://verify.test', urlTemplateAllowedHosts: ['verify.test'] } as AppConfig);
    const checks: InputChecks = { urlTemplate: (t) => templates.check(t) };
    const soup = fc
      .array(
        fc.constantFrom(
          '{{',
          '}}',
          '{{-',
          '-}}',
          ' ',
          '.',
          '.Code',
          '.UserID',
          '.Nope',
          '/*',
          '*/',
          'https://verify.test/',
          'https://evil.test/',
          '?',
          '#',
          '%',
          '\r\n',
          '\u0000',
          'x',
        ),
        { maxLength: 20 },
      )
      .map((p) => p.join(''));
    const body = fc.record({
      userId: fc.constant('123'),
      email: fc.constant('mini@mouse.com'),
      sendCode: fc.record({ urlTemplate: fc.oneof(soup, hostileString) }),
    });
    fc.assert(
      fc.property(body, (plain) => expectInstanceOrInvalidArgument(SetEmailInput, plain, checks)),
      { numRuns: RUNS },
    );
  });

  it.each<[string, new () => object]>([
    ['ResendEmailCodeInput', ResendEmailCodeInput],
    ['SendEmailCodeInput', SendEmailCodeInput],
    ['VerifyEmailInput', VerifyEmailInput],
    ['AddHumanUserInput', AddHumanUserInput],
  ])('%s: any JSON value → an instance or InvalidArgument', (_name, cls) => {
    const humanLike = fc.record(
      {
        username: fieldValue,
        profile: fc.oneof(fc.record({ givenName: fieldValue, familyName: fieldValue }, { requiredKeys: [] }), fieldValue),
        email: fc.oneof(setEmailLike, fieldValue),
        organization: fieldValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(anyBody, humanLike), (plain) => expectInstanceOrInvalidArgument(cls, plain)),
      { numRuns: RUNS },
    );
  });

  // A 64 kB body holds arrays nested ~30,000 deep; plainToInstance walks them recursively.
  it('deeply nested JSON inside an input (as a 64 kB body can carry) → InvalidArgument, not a stack overflow', () => {
    const nested = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('sendCode', 'top'), (depth, where) => {
        const deep = nested(depth);
        const body =
          where === 'sendCode'
            ? { userId: '123', email: 'not-an-address', sendCode: { deep } }
            : { userId: '123', email: 'not-an-address', deep };
        expectInstanceOrInvalidArgument(SetEmailInput, body);
      }),
      { numRuns: 60 },
    );
  });
});

describe('isPgvEmail, fuzzed', () => {
  const emailish = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '@',
          '.',
          '<',
          '>',
          '"',
          '\\',
          ' ',
          '-',
          '\r',
          '\n',
          '\u0000',
          '\ud800',
          'é',
          'a',
          'Z',
          '0',
          '(',
          ')',
          ',',
          ':',
          ';',
          '[',
          ']',
        ),
        fc.string({ maxLength: 4 }),
      ),
      { maxLength: 40 },
    )
    .map((p) => p.join(''));

  it('never throws, for any string, and answers a boolean', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
          emailish,
          hostileString,
        ),
        (s) => {
          expect(typeof isPgvEmail(s)).toBe('boolean');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('accepts nothing without an @ and nothing over 254 bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          emailish,
          fc.emailAddress(),
          fc.string({ minLength: 250, maxLength: 400 }).map((s) => `${s}@example.com`),
        ),
        (s) => {
          if (isPgvEmail(s)) {
            expect(s).toContain('@');
            const addr = /<([^<>]*)>\s*$/.exec(s.trim())?.[1]?.trim() ?? s.trim();
            expect(Buffer.byteLength(addr)).toBeLessThanOrEqual(254);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('accepts every RFC 5322 dot-atom address of at most 254 bytes (fast-check’s emailAddress)', () => {
    fc.assert(
      fc.property(
        fc.emailAddress().filter((e) => Buffer.byteLength(e) <= 254),
        (e) => {
          expect(isPgvEmail(e)).toBe(true);
          expect(isPgvEmail(`Name <${e}>`)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('stays fast on long adversarial strings (no catastrophic backtracking)', () => {
    const long = fc
      .array(fc.constantFrom('"', '\\', '<', '>', '@', '.', ' ', 'a', '-', '\\"'), { minLength: 2_000, maxLength: 8_000 })
      .map((p) => p.join(''));
    fc.assert(
      fc.property(long, (s) => {
        const started = process.hrtime.bigint();
        isPgvEmail(s);
        isPgvEmail(`Name <${s}>`);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        expect(ms).toBeLessThan(100);
      }),
      { numRuns: 100 },
    );
  });
});
