import { dualMigration } from './dual-migration.js';

/**
 * ZITADEL's profile.preferredLanguage, set by UpdateUser (spec §8, §10). Its own migration so
 * that, should another branch add the same column first, this file alone is dropped at merge.
 */
export const UserPreferredLanguage1796070000001 = dualMigration('UserPreferredLanguage1796070000001', {
  sqlite: {
    up: [`ALTER TABLE "users" ADD COLUMN "preferred_language" varchar(10) NOT NULL DEFAULT ('')`],
    down: [`ALTER TABLE "users" DROP COLUMN "preferred_language"`],
  },
  postgres: {
    up: [`ALTER TABLE "users" ADD "preferred_language" character varying(10) NOT NULL DEFAULT ''`],
    down: [`ALTER TABLE "users" DROP COLUMN "preferred_language"`],
  },
});
