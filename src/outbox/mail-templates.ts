import type { ResolvedTemplate, TemplateResolver } from '@nestjs-modules/mailer';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Mail templates live with the email domain; the build copies them beside the compiled code. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../email/templates/', import.meta.url));

/**
 * The HTML mail templates (`<name>.hbs`), compiled once with Handlebars in strict mode (a missing
 * value fails the send instead of mailing a blank), handed to the mailer as its template
 * resolver. The mailer's HandlebarsAdapter would do the same rendering, but configuring any
 * adapter makes @nestjs-modules/mailer load its optional `preview-email` (with pug, Babel's
 * parser and mailparser: about 9 MB of heap in every process that sends mail) even with
 * previews off. The text parts (`<name>.txt`) stay with the mailer's own `textTemplate`.
 */
export class MailTemplates implements TemplateResolver {
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();

  constructor(dir = TEMPLATE_DIR) {
    const handlebars = Handlebars.create();
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.hbs')) continue;
      this.templates.set(basename(file, '.hbs'), handlebars.compile(readFileSync(join(dir, file), 'utf8'), { strict: true }));
    }
  }

  resolve(name: string, context: Record<string, unknown> = {}): Promise<ResolvedTemplate> {
    const template = this.templates.get(name);
    if (!template) return Promise.reject(Object.assign(new Error(`unknown mail template ${name}`), { permanent: true }));
    try {
      return Promise.resolve({ content: template(context) });
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
}
