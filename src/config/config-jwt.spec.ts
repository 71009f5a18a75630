import { ConfigError, loadConfig } from './config.js';

const JWT = {
  AUTH_JWKS_URL: 'https://id.example.com/oauth/v2/keys',
  AUTH_ISSUER: 'https://id.example.com',
  AUTH_AUDIENCE: 'contact-email',
};

describe('loadConfig: JWT access tokens', () => {
  it('accepts only PATs when AUTH_JWKS_URL is unset or empty', () => {
    expect(loadConfig({}).jwt).toBeUndefined();
    expect(loadConfig({ AUTH_JWKS_URL: '' }).jwt).toBeUndefined();
  });

  it('reads the key set, issuer and audience, with the documented defaults', () => {
    expect(loadConfig(JWT).jwt).toEqual({
      jwksUrl: JWT.AUTH_JWKS_URL,
      issuer: JWT.AUTH_ISSUER,
      audience: JWT.AUTH_AUDIENCE,
      clockSkewSeconds: 30,
      jwksCacheMaxAgeSeconds: 600,
      jwksCooldownSeconds: 30,
      allowedTokenTypes: ['at+jwt', 'jwt'],
      idpId: 'jwt',
    });
  });

  it('reads the accepted token types (lower-cased) and the IDP ID of the subject links (§7.9)', () => {
    const jwt = loadConfig({ ...JWT, AUTH_ALLOWED_TOKEN_TYPES: ' AT+JWT , application/at+jwt ', AUTH_IDP_ID: 'corp-sso' }).jwt!;
    expect(jwt.allowedTokenTypes).toEqual(['at+jwt', 'application/at+jwt']);
    expect(jwt.idpId).toBe('corp-sso');
  });

  it.each([
    ['AUTH_ALLOWED_TOKEN_TYPES', ' , '],
    ['AUTH_ALLOWED_TOKEN_TYPES', 'at jwt'],
    ['AUTH_IDP_ID', 'has space'],
  ])('refuses %s=%j with a line naming it', (name, value) => {
    expect(() => loadConfig({ ...JWT, [name]: value })).toThrow(new RegExp(`^${name}`));
  });

  it('reads the clock skew, cache age and cooldown', () => {
    const jwt = loadConfig({
      ...JWT,
      AUTH_JWKS_URL: 'http://127.0.0.1:9000/keys',
      AUTH_JWT_CLOCK_SKEW_SECONDS: '0',
      AUTH_JWKS_CACHE_MAX_AGE_SECONDS: '60',
      AUTH_JWKS_COOLDOWN_SECONDS: '0',
    }).jwt;
    expect(jwt).toEqual(
      expect.objectContaining({
        jwksUrl: 'http://127.0.0.1:9000/keys',
        clockSkewSeconds: 0,
        jwksCacheMaxAgeSeconds: 60,
        jwksCooldownSeconds: 0,
      }),
    );
  });

  it.each([
    [{ ...JWT, AUTH_ISSUER: undefined }, 'AUTH_ISSUER is required when AUTH_JWKS_URL is set'],
    [{ ...JWT, AUTH_ISSUER: '  ' }, 'AUTH_ISSUER is required when AUTH_JWKS_URL is set'],
    [{ ...JWT, AUTH_AUDIENCE: undefined }, 'AUTH_AUDIENCE is required when AUTH_JWKS_URL is set'],
    [{ AUTH_ISSUER: JWT.AUTH_ISSUER }, 'AUTH_ISSUER is set but AUTH_JWKS_URL is not'],
    [{ AUTH_AUDIENCE: JWT.AUTH_AUDIENCE }, 'AUTH_AUDIENCE is set but AUTH_JWKS_URL is not'],
    [{ ...JWT, AUTH_JWKS_URL: 'not a url' }, 'AUTH_JWKS_URL must be a URL, got "not a url"'],
    [{ ...JWT, AUTH_JWKS_URL: 'ftp://id.example.com/keys' }, 'AUTH_JWKS_URL must use http: or https:, got "ftp:"'],
    [{ ...JWT, AUTH_JWT_CLOCK_SKEW_SECONDS: 'soon' }, 'AUTH_JWT_CLOCK_SKEW_SECONDS must be an integer, got "soon"'],
    [{ ...JWT, AUTH_JWT_CLOCK_SKEW_SECONDS: '-1' }, 'AUTH_JWT_CLOCK_SKEW_SECONDS must be between 0 and 3600, got -1'],
    [{ AUTH_JWT_CLOCK_SKEW_SECONDS: '99999' }, 'AUTH_JWT_CLOCK_SKEW_SECONDS must be between 0 and 3600, got 99999'],
    [{ ...JWT, AUTH_JWKS_CACHE_MAX_AGE_SECONDS: '0' }, 'AUTH_JWKS_CACHE_MAX_AGE_SECONDS must be between 1 and 604800, got 0'],
    [{ ...JWT, AUTH_JWKS_COOLDOWN_SECONDS: '4000' }, 'AUTH_JWKS_COOLDOWN_SECONDS must be between 0 and 3600, got 4000'],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('keeps credentials in AUTH_JWKS_URL out of the error line', () => {
    expect(() => loadConfig({ ...JWT, AUTH_JWKS_URL: 'https://user:secret@' })).toThrow('AUTH_JWKS_URL must be a URL, got "https://***@"');
  });
});
