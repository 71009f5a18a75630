import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { MessageTextsService } from './message-texts.service.js';
import { AdminTextsController, MailPreviewController, ManagementTextsController } from './texts.controller.js';
import { TextsResolver } from './texts.resolver.js';
import { TextsStoreModule } from './texts-store.module.js';

/** Message texts (spec §8): ZITADEL's management and admin text API, and the mail preview. */
@Module({
  imports: [TextsStoreModule, OrganizationsModule, PipelineModule],
  controllers: [ManagementTextsController, AdminTextsController, MailPreviewController],
  providers: [MessageTextsService, TextsResolver],
  exports: [MessageTextsService],
})
export class TextsModule {}
