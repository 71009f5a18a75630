import { Inject, Injectable } from '@nestjs/common';
import { invalidArgument } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { CompiledUrlTemplate, compileUrlTemplate, UrlTemplateData, UrlTemplateParseError } from './url-template.js';

/**
 * Two sets of stand-in values for the test render of step 1. A scheme or host that differs
 * between them comes from a value, not from the template's own text (spec §7.7).
 */
const sample = (v: string): UrlTemplateData => ({
  UserID: v,
  Code: v,
  OrgID: v,
  LoginName: v,
  DisplayName: v,
  PreferredLoginName: v,
  LastEmail: v,
});
const SAMPLES = [sample('sample0'), sample('sample1')] as const;
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

  /**
   * Step 1 of SetEmail: test-render a caller's template before anything else happens. The
   * template's own text must fix the scheme and host: rendered with two different sets of
   * values, both links have the same one.
   */
  check(template: string): void {
    const [a, b] = SAMPLES.map((s) => this.checkLink(this.render(template, s)));
    if (a!.origin !== b!.origin) throw notOwnOrigin();
  }

  /**
   * The link a mail carries, rendered with the real values and checked again (spec §7.7): the
   * check above proves the template, this one the very link (the default template included).
   * A value that would change the scheme or host is refused, InvalidArgument, and the change
   * that would have mailed it rolls back.
   */
  link(template: string | null | undefined, data: UrlTemplateData): string {
    // the default template is the operator's own EXTERNAL_URL: the allow-list is for callers'
    const allowList = template !== null && template !== undefined;
    const rendered = this.render(template, data);
    const url = this.checkLink(rendered, allowList);
    const expected = this.checkLink(this.render(template, SAMPLES[0]), allowList);
    if (url.origin !== expected.origin) throw notOwnOrigin();
    return rendered;
  }

  /** An absolute http(s) URL, without control characters, on an allowed host. */
  private checkLink(rendered: string, allowList = true): URL {
    // beyond ZITADEL: a link with line breaks or other control characters could smuggle text
    // (or a second link) into the mail, and URL parsers silently drop them before the host check
    if (CONTROL.test(rendered)) throw invalidArgument('EMAIL-uRlc1', 'URL Template must not render control characters');
    let url: URL;
    try {
      url = new URL(rendered);
    } catch {
      throw notAbsolute();
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw notAbsolute();
    if (allowList) this.checkHost(url);
    return url;
  }

  render(template: string | null | undefined, data: UrlTemplateData): string {
    const compiled = this.compile(template ?? this.defaultTemplate);
    try {
      return compiled.render(data);
    } catch {
      throw invalidArgument('DOMAIN-ieYa7', 'URL Template is invalid');
    }
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
  private checkHost(url: URL): void {
    const allowed = this.config.urlTemplateAllowedHosts;
    if (allowed.length === 0) return;
    const host = url.host.toLowerCase();
    const bare = host.replace(/:\d+$/, '');
    if (!allowed.includes(host) && !allowed.includes(bare)) {
      throw invalidArgument('EMAIL-uRl4h', 'URL Template must render an absolute URL on an allowed host');
    }
  }
}

const notAbsolute = () => invalidArgument('EMAIL-uRl5s', 'URL Template must render an absolute http or https URL');
const notOwnOrigin = () => invalidArgument('EMAIL-uRl6o', "URL Template's scheme and host must not come from a value");
