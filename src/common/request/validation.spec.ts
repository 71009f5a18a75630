import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { AppError, Code } from '../errors/app-error.js';
import { toRestBody } from '../errors/error-mapping.js';
import { CheckedInput, InputChecks, isPgvEmail, IsPgvEmail, Msg, ProtoMessage, ProtoString, validateInput } from './validation.js';

describe('isPgvEmail', () => {
  const valid = [
    'mini@mouse.com',
    'a.b+c@sub.example.co',
    '"quoted local"@example.com',
    'Mini <mini@mouse.com>',
    `${'l'.repeat(64)}@example.com`,
    `x@${'a'.repeat(63)}.com`,
  ];
  const invalid = [
    'bad',
    '@x.com',
    'x@',
    'x@-bad.com',
    'x@bad-.com',
    'x..y@example.com',
    `${'l'.repeat(65)}@example.com`,
    `x@${'a'.repeat(64)}.com`,
    'x@exa mple.com',
    '',
  ];

  it.each(valid)('accepts %j', (value) => {
    expect(isPgvEmail(value)).toBe(true);
  });

  it.each(invalid)('rejects %j', (value) => {
    expect(isPgvEmail(value)).toBe(false);
  });
});

@ProtoMessage('ChildMessage')
class ChildInput {
  @ProtoString(1, 3)
  value!: string;
}

@ProtoMessage('TestRequest')
class TestInput {
  @ProtoString(1, 5)
  name!: string;

  @IsOptional()
  @IsPgvEmail()
  @IsString({ message: Msg.string })
  email?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ChildInput)
  child?: ChildInput;
}

const noChecks: InputChecks = {
  urlTemplate: () => {
    throw new Error('no URL template check expected');
  },
};

/** The error validateInput throws, as a client would see it in the REST body. */
function restErrorOf(cls: new () => object, plain: unknown, checks: InputChecks = noChecks) {
  try {
    validateInput(cls, plain, checks);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return toRestBody(e as AppError);
  }
  throw new Error('expected validateInput to throw');
}

describe('validateInput', () => {
  it('returns an instance of the input class for a valid body, ignoring unknown fields', () => {
    const input = validateInput(TestInput, { name: 'Mini', email: 'mini@mouse.com', child: { value: 'ab' }, extra: 1 }, noChecks);
    expect(input).toBeInstanceOf(TestInput);
    expect(input.name).toBe('Mini');
    expect(input.child).toBeInstanceOf(ChildInput);
    expect(input.child?.value).toBe('ab');
  });

  it('answers a too-long field in ZITADEL’s exact format', () => {
    expect(restErrorOf(TestInput, { name: 'abcdef' })).toEqual({
      code: 3,
      message: 'invalid TestRequest.Name: value length must be between 1 and 5 runes, inclusive',
      details: [],
    });
  });

  it('answers an empty field with the length rule', () => {
    expect(restErrorOf(TestInput, { name: '' }).message).toBe(
      'invalid TestRequest.Name: value length must be between 1 and 5 runes, inclusive',
    );
  });

  it('answers a wrong JSON type', () => {
    expect(restErrorOf(TestInput, { name: 42 }).message).toBe('invalid TestRequest.Name: value must be a string');
  });

  it('answers an invalid email', () => {
    expect(restErrorOf(TestInput, { name: 'Mini', email: 'bad' }).message).toBe(
      'invalid TestRequest.Email: value must be a valid email address',
    );
  });

  it('counts runes, not UTF-16 code units', () => {
    // each of these emoji is two UTF-16 code units but one rune
    expect(validateInput(TestInput, { name: '😀😀😀😀😀' }, noChecks).name).toBe('😀😀😀😀😀');
    expect(restErrorOf(TestInput, { name: '😀😀😀😀😀😀' }).message).toBe(
      'invalid TestRequest.Name: value length must be between 1 and 5 runes, inclusive',
    );
  });

  it('answers a nested violation with the embedded-message format', () => {
    expect(restErrorOf(TestInput, { name: 'Mini', child: { value: 'abcd' } })).toEqual({
      code: 3,
      message:
        'invalid TestRequest.Child: embedded message failed validation | caused by: invalid ChildMessage.Value: value length must be between 1 and 3 runes, inclusive',
      details: [],
    });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'name'],
    ['a number', 42],
    ['an array', [{ name: 'Mini' }]],
    ['undefined', undefined],
  ])('refuses %s as body with InvalidArgument', (_name, body) => {
    let thrown: unknown;
    try {
      validateInput(TestInput, body, noChecks);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe(Code.INVALID_ARGUMENT);
    expect(toRestBody(thrown as AppError)).toMatchObject({ code: 3, details: [] });
  });
});

@ProtoMessage('CheckedRequest')
class CheckedTestInput implements CheckedInput {
  @IsOptional()
  @ProtoString(1, 200)
  urlTemplate?: string;

  checkInput(checks: InputChecks): void {
    if (this.urlTemplate !== undefined) checks.urlTemplate(this.urlTemplate);
  }
}

describe('validateInput: cross-field checks', () => {
  it('calls checkInput with the checks it was given, after the field rules pass', () => {
    const seen: string[] = [];
    const checks: InputChecks = { urlTemplate: (t) => void seen.push(t) };
    validateInput(CheckedTestInput, { urlTemplate: 'https://example.com/{{.Code}}' }, checks);
    expect(seen).toEqual(['https://example.com/{{.Code}}']);
  });

  it('lets an error of a check reach the caller', () => {
    const checks: InputChecks = {
      urlTemplate: () => {
        throw new AppError(Code.INVALID_ARGUMENT, 'DOMAIN-oGh5e', 'URL Template is invalid');
      },
    };
    expect(() => validateInput(CheckedTestInput, { urlTemplate: '{{' }, checks)).toThrow('URL Template is invalid');
  });

  it('does not run the checks when a field rule fails', () => {
    const seen: string[] = [];
    const checks: InputChecks = { urlTemplate: (t) => void seen.push(t) };
    expect(restErrorOf(CheckedTestInput, { urlTemplate: 'x'.repeat(201) }, checks).message).toBe(
      'invalid CheckedRequest.UrlTemplate: value length must be between 1 and 200 runes, inclusive',
    );
    expect(seen).toEqual([]);
  });
});

describe('validateInput: the rules kept per class', () => {
  @ProtoMessage('LateRequest')
  class LateInput {
    @ProtoString(1, 5)
    name!: string;
  }

  it('gives the same answers on repeated calls, for valid and invalid bodies alike', () => {
    for (let i = 0; i < 3; i++) {
      expect(validateInput(LateInput, { name: 'Mini' }, noChecks)).toEqual(Object.assign(new LateInput(), { name: 'Mini' }));
      expect(restErrorOf(LateInput, { name: 'Minnie Mouse' }).message).toBe(
        'invalid LateRequest.Name: value length must be between 1 and 5 runes, inclusive',
      );
      expect(restErrorOf(TestInput, { name: 'ok', child: { value: 'long' } }).message).toMatch(/^invalid TestRequest.Child/);
    }
  });

  it('applies a rule registered after the class was first validated', () => {
    expect(validateInput(LateInput, { name: 'Mini' }, noChecks)).toEqual(Object.assign(new LateInput(), { name: 'Mini' }));
    IsPgvEmail()(LateInput.prototype, 'name');
    expect(restErrorOf(LateInput, { name: 'Mini' }).message).toBe('invalid LateRequest.Name: value must be a valid email address');
  });
});
