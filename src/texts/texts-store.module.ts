import { Module } from '@nestjs/common';
import { MessageTextResolver } from './message-text-resolver.js';
import { MessageTextsRepository } from './message-texts.repository.js';

/** Custom message texts and their cached resolution: shared by the mail worker and the texts API. */
@Module({
  providers: [MessageTextsRepository, MessageTextResolver],
  exports: [MessageTextsRepository, MessageTextResolver],
})
export class TextsStoreModule {}
