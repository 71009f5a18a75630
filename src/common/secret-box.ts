import { Inject, Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG } from '../config/config.module.js';
import { ConfigError, type AppConfig } from '../config/config.js';
import { createPrivateFileOnce, restrictFile } from './private-files.js';
import { randomBytesPooled } from './random.js';

/** Least key material (spec §7.8): an empty or short key makes hashes and sealed payloads guessable. */
export const MIN_KEY_BYTES = 32;

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
    const master = config.codeHmacKey ? Buffer.from(config.codeHmacKey, 'utf8') : this.keyFile(keyFilePath(config));
    this.hmacKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'code-hmac', 32));
    this.encKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'outbox-aes-gcm', 32));
  }

  /**
   * The generated key: read, or created once. API instances and workers starting together on
   * an empty data directory all end up with the first one's key: the file appears complete or
   * not at all (see createPrivateFileOnce), and whoever loses the race reads the winner's.
   */
  private keyFile(path: string): Buffer {
    let text = readIfExists(path);
    if (text === undefined) {
      if (createPrivateFileOnce(path, randomBytes(MIN_KEY_BYTES).toString('base64url') + '\n')) {
        this.logger.log(`generated the code hashing key into ${path}`);
      }
      text = readFileSync(path, 'utf8');
    }
    restrictFile(path);
    return keyOf(path, text);
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

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const keyFilePath = (config: AppConfig) => join(config.dataDir, 'code-hmac.key');

function keyOf(path: string, text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < MIN_KEY_BYTES) {
    throw new ConfigError(
      `the code key file ${path} holds ${key.length} bytes, at least ${MIN_KEY_BYTES} are needed (base64url); restore it, or set CODE_HMAC_KEY`,
    );
  }
  return key;
}

/**
 * For the entry points, before anything starts: a key file that exists but holds too little key
 * stops the start with one line (a ConfigError). A missing one is created by SecretBox.
 */
export function checkCodeKeyFile(config: AppConfig): void {
  if (config.codeHmacKey) return;
  const path = keyFilePath(config);
  const text = readIfExists(path);
  if (text !== undefined) keyOf(path, text);
}
