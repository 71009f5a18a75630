import { Global, Module } from '@nestjs/common';
import { Clock } from './clock.js';
import { IdGenerator } from './id-generator.js';
import { SecretBox } from './secret-box.js';

@Global()
@Module({ providers: [Clock, IdGenerator, SecretBox], exports: [Clock, IdGenerator, SecretBox] })
export class CommonModule {}
