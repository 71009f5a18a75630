/**
 * Languages: the ones texts ship in, how a BCP 47 tag is checked (ZITADEL parses tags with Go's
 * golang.org/x/text/language; Intl's canonicalisation is the same grammar) and how a wanted
 * language falls back to a shipped one.
 */
export const SHIPPED_LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ja', 'zh'] as const;
export type ShippedLanguage = (typeof SHIPPED_LANGUAGES)[number];

const SHIPPED: ReadonlySet<string> = new Set(SHIPPED_LANGUAGES);

/** Scripts written right to left (by base language), for `<html dir>`. */
const RTL = new Set(['ar', 'he', 'fa', 'ur', 'yi', 'ps', 'sd', 'ug', 'dv', 'ckb']);

/** The canonical form of a well-formed BCP 47 tag (`de-ch` → `de-CH`), or null. */
export function canonicalLanguage(tag: string): string | null {
  if (!tag || tag.length > 35 || !/^[A-Za-z0-9-]+$/.test(tag)) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical ?? null;
  } catch {
    return null;
  }
}

export const baseLanguage = (tag: string): string => tag.split('-', 1)[0]!.toLowerCase();

export const isShippedLanguage = (tag: string): tag is ShippedLanguage => SHIPPED.has(tag);

/** The shipped language a tag falls back to (`de-CH` → `de`), or null. */
export function shippedLanguageOf(tag: string | null | undefined): ShippedLanguage | null {
  if (!tag) return null;
  const base = baseLanguage(tag);
  return isShippedLanguage(base) ? base : null;
}

export const textDirection = (tag: string): 'rtl' | 'ltr' => (RTL.has(baseLanguage(tag)) ? 'rtl' : 'ltr');

/**
 * The language a visitor's `Accept-Language` header prefers among the shipped ones
 * (quality values honoured, order breaks ties), or null.
 */
export function fromAcceptLanguage(header: string | undefined): ShippedLanguage | null {
  if (!header) return null;
  let best: { lang: ShippedLanguage; q: number } | null = null;
  for (const part of header.slice(0, 1000).split(',').slice(0, 50)) {
    const [range, ...params] = part.trim().split(';');
    if (!range) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const lang = shippedLanguageOf(range.trim());
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? null;
}
