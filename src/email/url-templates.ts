import { Inject, Injectable } from '@nestjs/common';
import { invalidArgument } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { CompiledUrlTemplate, compileUrlTemplate, queryEscape, UrlTemplateData, UrlTemplateParseError } from './url-template.js';

const SAMPLE: UrlTemplateData = {
  UserID: 'userID',
  Code: 'code',
  OrgID: 'orgID',
  LoginName: 'loginName',
  DisplayName: 'displayName',
  PreferredLoginName: 'preferredLoginName',
  LastEmail: 'lastEmail',
};
const CACHE_LIMIT = 256;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Checks and renders verification URL templates (Go text/template subset, spec §4). */
@Injectable()
export class UrlTemplates {
  private readonly cache = new Map<string, CompiledUrlTemplate>();
  private readonly defaultTemplate: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.defaultTemplate = `${config.externalUrl}/ui/v2/login/verify?code={{.Code}}&organization={{.OrgID}}&userId={{.UserID}}`;
  }

  /** Step 1 of SetEmail: test-render a caller's template before anything else happens. */
  check(template: string): void {
    const rendered = this.render(template, SAMPLE);
    // beyond ZITADEL: a link with line breaks or other control characters could smuggle text
    // (or a second link) into the mail, and URL parsers silently drop them before the host check
    if (CONTROL.test(rendered)) throw invalidArgument('EMAIL-uRlc1', 'URL Template must not render control characters');
    this.checkHost(rendered);
  }

  /**
   * Renders a caller's template, or the default one; the default link also carries the user's
   * language (`&lang=`), so the hosted page speaks it without looking the user up (spec §8).
   */
  render(template: string | null | undefined, data: UrlTemplateData, language = ''): string {
    const compiled = this.compile(template ?? this.defaultTemplate);
    let url: string;
    try {
      url = compiled.render(data);
    } catch {
      throw invalidArgument('DOMAIN-ieYa7', 'URL Template is invalid');
    }
    return template == null && language ? `${url}&lang=${queryEscape(language)}` : url;
  }

  private compile(template: string): CompiledUrlTemplate {
    let compiled = this.cache.get(template);
    if (compiled) return compiled;
    try {
      compiled = compileUrlTemplate(template);
    } catch (e) {
      if (e instanceof UrlTemplateParseError) throw invalidArgument('DOMAIN-oGh5e', 'URL Template is invalid');
      throw e;
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(template, compiled);
    return compiled;
  }

  /** beyond ZITADEL: URL_TEMPLATE_ALLOWED_HOSTS keeps verification links on known hosts. */
  private checkHost(rendered: string): void {
    const allowed = this.config.urlTemplateAllowedHosts;
    if (allowed.length === 0) return;
    let host: string;
    try {
      const u = new URL(rendered);
      host = u.host.toLowerCase();
    } catch {
      throw invalidArgument('EMAIL-uRl4h', 'URL Template must render an absolute URL on an allowed host');
    }
    const bare = host.replace(/:\d+$/, '');
    if (!allowed.includes(host) && !allowed.includes(bare)) {
      throw invalidArgument('EMAIL-uRl4h', 'URL Template must render an absolute URL on an allowed host');
    }
  }
}
