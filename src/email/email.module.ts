import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { InputChecks, INPUT_CHECKS } from '../common/request/validation.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { UsersModule } from '../users/users.module.js';
import { EmailChangeService } from './email-change.service.js';
import { EmailCodesRepository } from './email-codes.repository.js';
import { EmailUndoRepository } from './email-undo.repository.js';
import { EmailService } from './email.service.js';
import { MailLimits } from './mail-limits.js';
import { UrlTemplates } from './url-templates.js';
import { VerificationCodes } from './verification-codes.js';
import { UndoPageController } from './undo-page.controller.js';
import { VerifyPageController } from './verify-page.controller.js';

@Module({
  imports: [UsersModule, AuthModule, OutboxModule, PipelineModule],
  controllers: [VerifyPageController, UndoPageController],
  providers: [
    EmailService,
    EmailChangeService,
    EmailUndoRepository,
    EmailCodesRepository,
    VerificationCodes,
    UrlTemplates,
    MailLimits,
    { provide: INPUT_CHECKS, inject: [UrlTemplates], useFactory: (t: UrlTemplates): InputChecks => ({ urlTemplate: (s) => t.check(s) }) },
  ],
  exports: [EmailService, EmailChangeService, INPUT_CHECKS],
})
export class EmailModule {}
