import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { mapError } from '../common/errors/error-mapping.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { clientIp } from '../common/request/client-ip.js';
import { Public } from '../pipeline/operation.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { canonicalLanguage, fromAcceptLanguage, shippedLanguageOf, type ShippedLanguage } from '../texts/languages.js';
import { VerifyEmailOnPage } from './email.operations.js';
import { failedPage, PAGE_HEADERS, pageFailure, verifiedPage, verifyFormPage, VERIFY_PATH } from './verify-page.js';

interface Reply {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}

const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/**
 * The default verification link's page. GET only shows the code and a button — a mail
 * scanner that fetches the link verifies nothing; the button's POST does.
 */
@Controller()
export class VerifyPageController {
  constructor(
    private readonly pipeline: Pipeline,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get(VERIFY_PATH)
  show(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) res: Reply,
    @Headers('x-forwarded-proto') proto?: string,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<string> {
    this.headers(res, proto);
    const lang = this.language(res, one(query.lang), acceptLanguage);
    const userId = one(query.userId);
    if (!userId) {
      res.status(400);
      return failedPage(lang, 'incompleteLink');
    }
    return verifyFormPage(lang, { userId, organization: one(query.organization), code: one(query.code) });
  }

  /** The form's POST runs VerifyEmail through the same pipeline as every transport, without a token. */
  @Public()
  @Post(VERIFY_PATH)
  @HttpCode(200)
  async confirm(
    @Req() req: { ip?: string },
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Reply,
    @Headers('x-forwarded-proto') proto?: string,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<string> {
    this.headers(res, proto);
    const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const lang = this.language(res, one(form.lang), acceptLanguage);
    try {
      await this.pipeline.run(VerifyEmailOnPage, {
        authorization: undefined,
        ip: clientIp(req),
        plain: () => ({ userId: one(form.userId), verificationCode: one(form.code).trim() }),
      });
      return await verifiedPage(lang);
    } catch (e) {
      const failure = pageFailure(mapError(e));
      res.status(failure.status);
      // an unexpected error shows its incident ID; every refusal reads the same, in the page's language
      return failedPage(lang, failure.status === 500 ? { text: failure.message } : 'invalidCode');
    }
  }

  /**
   * The page's language: the link's `lang`, then the browser's Accept-Language, then
   * DEFAULT_LANGUAGE. Never the user's own: looking the user up would tell a visitor whether
   * the ID exists (spec §7.3).
   */
  private language(res: Reply, requested: string, acceptLanguage: string | undefined): ShippedLanguage {
    const lang = shippedLanguageOf(canonicalLanguage(requested)) ?? fromAcceptLanguage(acceptLanguage) ?? this.config.defaultLanguage;
    res.header('Content-Language', lang);
    res.header('Vary', 'Accept-Language');
    return lang;
  }

  private headers(res: Reply, proto: string | undefined): void {
    for (const [k, v] of Object.entries(PAGE_HEADERS)) res.header(k, v);
    // the scheme is the proxy's word, so only when we trust the proxy
    if (this.config.trustProxy && proto === 'https') res.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  }
}
