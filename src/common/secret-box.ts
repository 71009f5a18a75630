import { Inject, Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APP_CONFIG } from '../config/config.module.js';
import { randomBytesPooled } from './random.js';
import type { AppConfig } from '../config/config.js';

/**
 * Keyed hashing for verification codes and encryption for the few secrets that must wait in the
 * database (a code in an outbox row until its mail is sent), so a dump reveals no usable code.
 * The key is CODE_HMAC_KEY or, when unset, a random key generated once into the data directory.
 */
@Injectable()
export class SecretBox {
  private readonly logger = new Logger(SecretBox.name);
  private readonly hmacKey: Buffer;
  private readonly encKey: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const master = config.codeHmacKey ? Buffer.from(config.codeHmacKey, 'utf8') : this.keyFile(join(config.dataDir, 'code-hmac.key'));
    this.hmacKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'code-hmac', 32));
    this.encKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'outbox-aes-gcm', 32));
  }

  private keyFile(path: string): Buffer {
    try {
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    mkdirSync(dirname(path), { recursive: true });
    const key = randomBytes(32);
    try {
      writeFileSync(path, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
      this.logger.log(`generated the code hashing key into ${path}`);
      return key;
    } catch (e) {
      // another process created it first: use theirs
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
      throw e;
    }
  }

  hmac(value: string): string {
    return createHmac('sha256', this.hmacKey).update(value, 'utf8').digest('base64url');
  }

  /** Constant-time comparison of two hashes from hmac(). */
  hmacEquals(a: string, b: string): boolean {
    const x = Buffer.from(a, 'utf8');
    const y = Buffer.from(b, 'utf8');
    return x.length === y.length && timingSafeEqual(x, y);
  }

  encrypt(plain: string): string {
    const iv = randomBytesPooled(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(sealed: string): string {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown sealed value format');
    // a fixed tag length: Node would otherwise accept a truncated (forgeable) tag
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
