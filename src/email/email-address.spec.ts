import { AppError, Code } from '../common/errors/app-error.js';
import { assertValidEmailAddress } from './email-address.js';

function errorOf(email: string): unknown {
  try {
    assertValidEmailAddress(email);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('assertValidEmailAddress (ZITADEL’s domain check)', () => {
  it.each(['mini@mouse.com', 'a.b+c@sub.example.co', 'Mini.Mouse@Example.COM'])('accepts %j', (email) => {
    expect(() => assertValidEmailAddress(email)).not.toThrow();
  });

  it.each(['Mini <mini@mouse.com>', 'x@-bad.com', 'no-at-sign', 'x@exa mple.com'])('refuses %j with EMAIL-599GV', (email) => {
    const err = errorOf(email);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).id).toBe('EMAIL-599GV');
    expect((err as AppError).code).toBe(Code.INVALID_ARGUMENT);
  });
});
