import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Mail templates live with the email domain; the build copies them beside the compiled code. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../email/templates/', import.meta.url));

export interface RenderedMail {
  html: string;
  text: string;
}

interface MailTemplate {
  html: Handlebars.TemplateDelegate;
  text: Handlebars.TemplateDelegate;
}

/**
 * The mail templates, two per mail: `<name>.hbs` (HTML, values HTML-escaped) and `<name>.txt`
 * (plain text, values as they are), compiled once with Handlebars in strict mode, so a missing
 * value fails the send (and the outbox retries or marks it dead) instead of mailing a blank or a
 * literal `{{code}}`. Both parts are rendered here and handed to the mailer as finished `html`
 * and `text`: the mailer's own text rendering (`textTemplate`) fills `{{key}}` by a regex that
 * leaves unknown keys in place, and configuring one of its template adapters would make it load
 * its optional `preview-email` (see docs/dependencies.md).
 */
export class MailTemplates {
  private readonly templates = new Map<string, MailTemplate>();

  constructor(dir = TEMPLATE_DIR) {
    const handlebars = Handlebars.create();
    const files = new Set(readdirSync(dir));
    for (const file of files) {
      if (!file.endsWith('.hbs')) continue;
      const name = basename(file, '.hbs');
      if (!files.has(`${name}.txt`)) throw new Error(`mail template ${name} has no plain-text part ${name}.txt`);
      const source = (ext: string) => readFileSync(join(dir, `${name}${ext}`), 'utf8');
      this.templates.set(name, {
        html: handlebars.compile(source('.hbs'), { strict: true }),
        text: handlebars.compile(source('.txt'), { strict: true, noEscape: true }),
      });
    }
    for (const file of files) {
      if (file.endsWith('.txt') && !this.templates.has(basename(file, '.txt'))) throw new Error(`mail template ${file} has no HTML part`);
    }
  }

  /** Both parts of the mail `name`; throws (permanently, for unknown names) when it cannot. */
  render(name: string, context: Record<string, unknown>): RenderedMail {
    const template = this.templates.get(name);
    if (!template) throw Object.assign(new Error(`unknown mail template ${name}`), { permanent: true });
    return { html: template.html(context), text: template.text(context) };
  }
}
