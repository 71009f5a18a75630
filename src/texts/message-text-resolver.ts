import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { MessageTextEntity } from '../database/entities/message-text.entity.js';
import { INSTANCE_SCOPE } from '../database/entities/membership.entity.js';
import { baseLanguage, canonicalLanguage, isShippedLanguage, shippedLanguageOf } from './languages.js';
import { MessageTextsRepository } from './message-texts.repository.js';
import { MESSAGE_FIELDS, type MessageFields, type MessageType } from './message-types.js';
import { shippedLayout, shippedMessage, type LayoutTexts } from './shipped-texts.js';

/** How often a process asks the database whether texts changed elsewhere (at most once per interval, at send time). */
export const REVISION_CHECK_MS = 1000;
const CACHE_LIMIT = 10_000;

export interface ResolvedMessage {
  fields: MessageFields;
  /** The language the message text is in. */
  language: string;
  layout: LayoutTexts;
}

type TextsByLanguage = Map<string, MessageTextEntity>;

/**
 * The texts of a mail, resolved field by field (spec §8): organisation custom → instance custom
 * → shipped, for the user's language (then its base language), then for DEFAULT_LANGUAGE. Used
 * by the mail worker at send time and by the preview, never on the path of an API request.
 *
 * Custom texts are kept in memory per (scope, type). A change through this process empties the
 * cache at once; a change through another instance is noticed by the revision counter, read
 * at most every REVISION_CHECK_MS.
 */
@Injectable()
export class MessageTextResolver {
  private readonly texts = new Map<string, Promise<TextsByLanguage>>();
  private readonly orgNames = new Map<string, Promise<string>>();
  private revision = -1;
  private checkedAt = 0;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly repo: MessageTextsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** After a change through this process. */
  invalidate(): void {
    this.clear();
    this.checkedAt = 0;
  }

  async resolve(type: MessageType, orgId: string, userLanguage: string): Promise<ResolvedMessage> {
    await this.fresh();
    const chain = this.languageChain(userLanguage);
    const [org, instance] = await Promise.all([this.load(orgId, type), this.load(INSTANCE_SCOPE, type)]);
    const fields = {} as MessageFields;
    let textLanguage = this.config.defaultLanguage as string;
    for (const field of MESSAGE_FIELDS) {
      const found = pick(field, chain, org, instance, type);
      fields[field] = found.value;
      if (field === 'text') textLanguage = found.language;
    }
    const layoutLanguage = shippedLanguageOf(textLanguage) ?? this.config.defaultLanguage;
    return { fields, language: textLanguage, layout: shippedLayout(layoutLanguage) };
  }

  async orgName(orgId: string): Promise<string> {
    await this.fresh();
    let name = this.orgNames.get(orgId);
    if (!name) {
      name = this.repo.orgName(orgId).then((n) => n ?? '');
      this.remember(this.orgNames, orgId, name);
    }
    return name;
  }

  /** The user's language, its base language, then DEFAULT_LANGUAGE. */
  languageChain(userLanguage: string): string[] {
    const chain: string[] = [];
    const tag = userLanguage ? canonicalLanguage(userLanguage) : null;
    if (tag) chain.push(tag, baseLanguage(tag));
    chain.push(this.config.defaultLanguage);
    return [...new Set(chain)];
  }

  private load(scope: string, type: MessageType): Promise<TextsByLanguage> {
    const key = `${scope}\u0000${type}`;
    let texts = this.texts.get(key);
    if (!texts) {
      texts = this.repo.list(scope, type).then((rows) => new Map(rows.map((r) => [r.language, r])));
      this.remember(this.texts, key, texts);
    }
    return texts;
  }

  private remember<T>(map: Map<string, Promise<T>>, key: string, value: Promise<T>): void {
    if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value!);
    map.set(key, value);
    // a failed read is not kept
    value.catch(() => map.get(key) === value && map.delete(key));
  }

  private fresh(): Promise<void> {
    if (Date.now() - this.checkedAt < REVISION_CHECK_MS) return Promise.resolve();
    return (this.checking ??= this.repo
      .revision()
      .then((revision) => {
        if (revision !== this.revision) this.clear();
        this.revision = revision;
        this.checkedAt = Date.now();
      })
      .finally(() => {
        this.checking = null;
      }));
  }

  private clear(): void {
    this.texts.clear();
    this.orgNames.clear();
  }
}

function pick(
  field: keyof MessageFields,
  chain: string[],
  org: TextsByLanguage,
  instance: TextsByLanguage,
  type: MessageType,
): { value: string; language: string } {
  for (const language of chain) {
    const custom = org.get(language)?.[field] || instance.get(language)?.[field];
    if (custom) return { value: custom, language };
    // the shipped text ends a language's chain, even where it is empty on purpose
    if (isShippedLanguage(language)) return { value: shippedMessage(type, language)[field], language };
  }
  return { value: '', language: chain[chain.length - 1]! };
}
