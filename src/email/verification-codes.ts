import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { SecretBox } from '../common/secret-box.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';

/** Generates verification codes from a CSPRNG and hashes them for storage. */
@Injectable()
export class VerificationCodes {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly box: SecretBox,
  ) {}

  generate(): string {
    const { emailCodeAlphabet: alphabet, emailCodeLength: length } = this.config;
    let code = '';
    for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
    return code;
  }

  /** Bound to the user, so one user's hash says nothing about another's code. */
  hash(userId: string, code: string): string {
    return this.box.hmac(`${userId}\u0000${code}`);
  }

  matches(userId: string, code: string, storedHash: string): boolean {
    return this.box.hmacEquals(this.hash(userId, code), storedHash);
  }

  expiry(from: Date): Date {
    return new Date(from.getTime() + this.config.emailCodeTtlSeconds * 1000);
  }
}
