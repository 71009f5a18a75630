import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { AppError, Code } from '../common/errors/app-error.js';
import { clientIp } from '../common/request/client-ip.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Public } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { UndoEmailChange } from './email-change.operations.js';
import { UNDO_PATH, undoFormPage, undonePage, undoRefusedPage } from './undo-page.js';
import { PAGE_HEADERS } from './verify-page.js';

interface Reply {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}

const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
/** Tokens are 43 base64url characters; anything else cannot be one. */
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

/** The undo link's page (spec §10): GET shows a button, only its POST undoes the change. */
@Controller()
export class UndoPageController {
  constructor(
    private readonly pipeline: Pipeline,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get(UNDO_PATH)
  show(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Reply, @Headers('x-forwarded-proto') proto?: string) {
    this.headers(res, proto);
    const token = one(query.token);
    if (!TOKEN.test(token)) {
      res.status(400);
      return undoRefusedPage(false);
    }
    return undoFormPage(token, this.config.emailUndoRevokesTokens);
  }

  /** The form's POST runs UndoEmailChange through the same pipeline as every operation (rate limits included), without a token. */
  @Public()
  @Post(UNDO_PATH)
  @HttpCode(200)
  async confirm(
    @Req() req: { ip?: string },
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Reply,
    @Headers('x-forwarded-proto') proto?: string,
  ) {
    this.headers(res, proto);
    const token = one((body && typeof body === 'object' ? (body as Record<string, unknown>) : {}).token);
    try {
      await this.pipeline.run(UndoEmailChange, { authorization: undefined, ip: clientIp(req), plain: () => ({ token }) });
      return await undonePage();
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const limited = e.code === Code.RESOURCE_EXHAUSTED;
      res.status(limited ? 429 : 400);
      return undoRefusedPage(limited);
    }
  }

  private headers(res: Reply, proto: string | undefined): void {
    for (const [k, v] of Object.entries(PAGE_HEADERS)) res.header(k, v);
    if (this.config.trustProxy && proto === 'https') res.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  }
}
