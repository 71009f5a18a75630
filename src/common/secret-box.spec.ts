import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/config.js';
import { SecretBox } from './secret-box.js';

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'secret-box-'));
  // the generated-key notice is expected here; keep the test output clean
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

const boxWithKey = (key: string) => new SecretBox({ codeHmacKey: key, dataDir: tmp } as AppConfig);

/** Flips one byte of the base64url part `index` of a sealed value. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretBox: hmac', () => {
  it('is deterministic for one key', () => {
    const box = boxWithKey('x'.repeat(32));
    expect(box.hmac('ABC123')).toBe(box.hmac('ABC123'));
    expect(boxWithKey('x'.repeat(32)).hmac('ABC123')).toBe(box.hmac('ABC123'));
  });

  it('depends on the value and on the key', () => {
    const box = boxWithKey('x'.repeat(32));
    expect(box.hmac('ABC123')).not.toBe(box.hmac('ABC124'));
    expect(boxWithKey('y'.repeat(32)).hmac('ABC123')).not.toBe(box.hmac('ABC123'));
  });

  it('does not reveal the value', () => {
    const box = boxWithKey('x'.repeat(32));
    expect(box.hmac('ABC123')).not.toContain('ABC123');
  });

  it('compares hashes with hmacEquals', () => {
    const box = boxWithKey('x'.repeat(32));
    const h = box.hmac('ABC123');
    expect(box.hmacEquals(h, box.hmac('ABC123'))).toBe(true);
    expect(box.hmacEquals(h, box.hmac('ABC124'))).toBe(false);
    expect(box.hmacEquals(h, h.slice(1))).toBe(false);
    expect(box.hmacEquals(h, '')).toBe(false);
  });
});

describe('SecretBox: encrypt/decrypt', () => {
  const plain = JSON.stringify({ code: 'K7Q2ZP', url: 'https://example.com/verify?code=K7Q2ZP' });

  it('round-trips', () => {
    const box = boxWithKey('x'.repeat(32));
    expect(box.decrypt(box.encrypt(plain))).toBe(plain);
    expect(box.decrypt(box.encrypt(''))).toBe('');
    expect(box.decrypt(box.encrypt('ünïcødé 😀'))).toBe('ünïcødé 😀');
  });

  it('produces a different ciphertext each time, without the plaintext in it', () => {
    const box = boxWithKey('x'.repeat(32));
    const a = box.encrypt(plain);
    const b = box.encrypt(plain);
    expect(a).not.toBe(b);
    for (const sealed of [a, b]) {
      expect(sealed).not.toContain('K7Q2ZP');
      expect(sealed).not.toContain(Buffer.from(plain).toString('base64url').slice(0, 16));
    }
  });

  it.each([
    ['IV', 1],
    ['tag', 2],
    ['body', 3],
  ])('refuses a value with a tampered %s', (_name, index) => {
    const box = boxWithKey('x'.repeat(32));
    const sealed = box.encrypt(plain);
    expect(() => box.decrypt(tamper(sealed, index))).toThrow();
  });

  it('refuses a value whose tag was truncated', () => {
    // a shortened GCM tag is still a valid prefix; accepting it would make forgeries far cheaper
    const box = boxWithKey('x'.repeat(32));
    const parts = box.encrypt(plain).split('.');
    parts[2] = Buffer.from(parts[2]!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
  });

  it('refuses a value sealed under another key', () => {
    const sealed = boxWithKey('x'.repeat(32)).encrypt(plain);
    expect(() => boxWithKey('y'.repeat(32)).decrypt(sealed)).toThrow();
  });

  it.each(['', 'plain text', 'v2.a.b.c', 'v1.only'])('refuses the malformed value %j', (sealed) => {
    expect(() => boxWithKey('x'.repeat(32)).decrypt(sealed)).toThrow();
  });
});

describe('SecretBox: generated key file', () => {
  it('creates code-hmac.key (0600) in the data directory when no key is configured, and reuses it', () => {
    const dataDir = join(tmp, 'data');
    const config = { codeHmacKey: undefined, dataDir } as AppConfig;
    const first = new SecretBox(config);
    const keyPath = join(dataDir, 'code-hmac.key');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const content = readFileSync(keyPath, 'utf8');

    const second = new SecretBox(config);
    expect(readFileSync(keyPath, 'utf8')).toBe(content);
    expect(second.hmac('ABC123')).toBe(first.hmac('ABC123'));
    expect(second.decrypt(first.encrypt('K7Q2ZP'))).toBe('K7Q2ZP');
  });

  it('generates a different key for another data directory', () => {
    const a = new SecretBox({ codeHmacKey: undefined, dataDir: join(tmp, 'a') } as AppConfig);
    const b = new SecretBox({ codeHmacKey: undefined, dataDir: join(tmp, 'b') } as AppConfig);
    expect(a.hmac('ABC123')).not.toBe(b.hmac('ABC123'));
  });

  it('writes no key file when CODE_HMAC_KEY is configured', () => {
    boxWithKey('x'.repeat(32));
    expect(() => statSync(join(tmp, 'code-hmac.key'))).toThrow(/ENOENT/);
  });
});
