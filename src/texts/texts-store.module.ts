import { Module } from '@nestjs/common';
import { CustomTexts } from './custom-texts.js';
import { MessageTextResolver } from './message-text-resolver.js';
import { MessageTextsRepository } from './message-texts.repository.js';

/**
 * Custom message texts as stored (CustomTexts) and their cached resolution (MessageTextResolver):
 * what the mail worker renders with, without the texts API (TextsModule), which builds on these
 * services. The repository stays in here.
 */
@Module({
  providers: [MessageTextsRepository, MessageTextResolver, CustomTexts],
  exports: [MessageTextResolver, CustomTexts],
})
export class TextsStoreModule {}
