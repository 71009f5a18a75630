import { Inject, Injectable } from '@nestjs/common';
import { randomBytesPooled } from '../common/random.js';
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

  /** Uniform over the alphabet: one CSPRNG read per code, bytes past the largest multiple of the alphabet's size are skipped. */
  generate(): string {
    const { emailCodeAlphabet: alphabet, emailCodeLength: length } = this.config;
    const limit = 256 - (256 % alphabet.length);
    let code = '';
    while (code.length < length) {
      for (const b of randomBytesPooled(length * 2)) {
        if (b >= limit) continue;
        code += alphabet[b % alphabet.length];
        if (code.length === length) break;
      }
    }
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
