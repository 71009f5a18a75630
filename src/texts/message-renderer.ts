import type { TemplateDelegate } from 'handlebars';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument } from '../common/errors/app-error.js';
import { lazy } from '../common/lazy.js';
import { compileTextTemplate, type CompiledUrlTemplate, UrlTemplateExecError, UrlTemplateParseError } from '../email/url-template.js';
import { textDirection } from './languages.js';
import { MESSAGE_FIELDS, MESSAGE_VARIABLES, type MessageField, type MessageFields, type MessageVariables } from './message-types.js';
import type { LayoutTexts } from './shipped-texts.js';

/** The mail layout lives with the email domain; the build copies it beside the compiled code. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../email/templates/', import.meta.url));

const VARIABLES: ReadonlySet<string> = new Set(MESSAGE_VARIABLES);
/**
 * Control characters (C0, DEL, C1: line breaks included) and the Unicode line and paragraph
 * separators never come from a value into a mail (spec §7.11).
 */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;
const CACHE_LIMIT = 1024;

/**
 * The layout of every mail: HTML and plain text, both compiled in strict mode (a missing value
 * fails the send instead of mailing a blank). The HTML part escapes every text, so a custom
 * text cannot add markup; the text part is plain. Loaded at the first mail or preview.
 */
const layout = lazy(async (): Promise<{ html: TemplateDelegate; text: TemplateDelegate }> => {
  const { default: Handlebars } = await import('handlebars');
  const handlebars = Handlebars.create();
  const [html, text] = await Promise.all([
    readFile(join(TEMPLATE_DIR, 'message.hbs'), 'utf8'),
    readFile(join(TEMPLATE_DIR, 'message.txt'), 'utf8'),
  ]);
  return { html: handlebars.compile(html, { strict: true }), text: handlebars.compile(text, { strict: true, noEscape: true }) };
});

/** Loads the layout ahead of the first mail (the delivery stack calls it at start; a failure is retried at the first mail). */
export function preloadLayout(): void {
  layout().catch(() => undefined);
}

const compiled = new Map<string, CompiledUrlTemplate<MessageVariables>>();

/** A text field compiled once (the §4 template subset with ZITADEL's variable names). */
function compile(source: string): CompiledUrlTemplate<MessageVariables> {
  let c = compiled.get(source);
  if (c) return c;
  c = compileTextTemplate<MessageVariables>(source, VARIABLES);
  if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
  compiled.set(source, c);
  return c;
}

/** Why a text is refused, and where (in characters from its start). */
function templateProblem(source: string): { offset: number; reason: string } | null {
  try {
    const c = compile(source);
    if (!c.execError) return null;
    return { offset: c.execError.offset, reason: describe(c.execError) };
  } catch (e) {
    if (e instanceof UrlTemplateParseError) return { offset: e.offset, reason: describe(e) };
    throw e;
  }
}

function describe(e: UrlTemplateParseError | UrlTemplateExecError): string {
  const reason = e.message.replace(/^url template: /, '').replace(/ at offset \d+$/, '');
  const unknown = /^can't evaluate field (\S+)/.exec(reason);
  return unknown ? `unknown variable {{.${unknown[1]}}} (known: ${MESSAGE_VARIABLES.join(', ')})` : reason;
}

/**
 * Save-time check of custom texts (spec §8): every field must be in the template subset and
 * name only known variables. The 400 names the field and the position, so nothing is refused
 * later at send time.
 */
export function checkMessageFields(fields: Partial<MessageFields>): void {
  for (const field of MESSAGE_FIELDS) {
    const source = fields[field];
    if (!source) continue;
    const problem = templateProblem(source);
    if (problem) {
      // 1-based, in characters (code points), as an editor counts them
      const at = [...source.slice(0, problem.offset)].length + 1;
      throw invalidArgument('TEXT-tmpl01', `Text template is invalid: ${field} at character ${at}: ${problem.reason}`);
    }
  }
}

// Intl.DurationFormat (ECMA-402, in Node since 23) is not in TypeScript's lib yet
const DurationFormat = (Intl as unknown as { DurationFormat: new (l: string, o: object) => { format(d: object): string } }).DurationFormat;

/** One formatter per language: building one costs more than a mail's whole rendering. */
const durationFormats = new Map<string, { format(d: object): string }>();
function durationFormat(language: string): { format(d: object): string } {
  let f = durationFormats.get(language);
  if (!f) {
    f = new DurationFormat(language, { style: 'long' });
    // languages come from the stored, canonical BCP 47 tags of users: a bounded set
    if (durationFormats.size < 500) durationFormats.set(language, f);
  }
  return f;
}

/** `{{.Expiry}}`: a code lifetime in words of the mail's language ("1 hour", "1 Stunde", "1 時間"). */
export function formatExpiry(seconds: number, language: string): string {
  const d = { days: Math.floor(seconds / 86400), hours: Math.floor((seconds % 86400) / 3600), minutes: Math.floor((seconds % 3600) / 60) };
  const parts = Object.fromEntries(Object.entries(d).filter(([, v]) => v > 0));
  if (Object.keys(parts).length === 0) parts.seconds = seconds;
  try {
    const words = durationFormat(language).format(parts);
    // Japanese and Chinese set numbers and units without a space inside running text
    return /^(ja|zh)\b/.test(language) ? words.replace(/(\d)[\s\u00a0\u202f](\p{Script=Han})/gu, '$1$2') : words;
  } catch {
    return `${Math.round(seconds / 60)} min`;
  }
}

export interface MailContent {
  subject: string;
  html: string;
  text: string;
  /** The language the texts are in: `Content-Language`, `<html lang>`. */
  language: string;
}

export interface MessageToRender {
  fields: MessageFields;
  language: string;
  layout: LayoutTexts;
  variables: MessageVariables;
}

/** Renders a message's resolved texts into the subject and both mail parts. */
export async function renderMessage(m: MessageToRender): Promise<MailContent> {
  const values = Object.fromEntries(
    Object.entries(m.variables).map(([k, v]) => [k, typeof v === 'string' ? v.replace(CONTROL, '') : '']),
  ) as MessageVariables;
  const out = {} as Record<MessageField, string>;
  for (const field of MESSAGE_FIELDS) out[field] = m.fields[field] ? compile(m.fields[field]).render(values) : '';
  const dir = textDirection(m.language);
  const url = values.URL;
  const button = url && out.buttonText ? { text: out.buttonText, url } : false;
  const paragraphs = out.text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((p) => p.split(/\r?\n/).filter((line) => line.trim() !== ''))
    .filter((lines) => lines.length > 0);
  const { html, text } = await layout();
  const context = {
    lang: m.language,
    dir,
    align: dir === 'rtl' ? 'right' : 'left',
    title: out.title,
    preHeader: out.preHeader,
    greeting: out.greeting,
    paragraphs,
    text: out.text,
    button,
    linkHint: m.layout.linkHint,
    footer: out.footerText ? out.footerText.split(/\r?\n/) : false,
    footerText: out.footerText,
  };
  return {
    subject: out.subject.replace(/\s*[\r\n]+\s*/g, ' ').trim(),
    html: html(context),
    text: text(context),
    language: m.language,
  };
}
