import { dualMigration } from './dual-migration.js';

/** spec §7.9: IDP links, the only way from a JWT's subject to a local user. */
export const UserIdpLinks1796011000000 = dualMigration('UserIdpLinks1796011000000', {
  sqlite: {
    up: [
      `CREATE TABLE "user_idp_links" ("idp_id" varchar(200) NOT NULL, "external_user_id" varchar(200) NOT NULL, "user_id" varchar(200) NOT NULL, "external_user_name" varchar(200) NOT NULL, "created_at" bigint NOT NULL, PRIMARY KEY ("idp_id", "external_user_id"))`,
      `CREATE INDEX "ix_user_idp_links_user" ON "user_idp_links" ("user_id")`,
    ],
    down: [`DROP INDEX "ix_user_idp_links_user"`, `DROP TABLE "user_idp_links"`],
  },
  postgres: {
    up: [
      `CREATE TABLE "user_idp_links" ("idp_id" character varying(200) NOT NULL, "external_user_id" character varying(200) NOT NULL, "user_id" character varying(200) NOT NULL, "external_user_name" character varying(200) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_user_idp_links" PRIMARY KEY ("idp_id", "external_user_id"))`,
      `CREATE INDEX "ix_user_idp_links_user" ON "user_idp_links" ("user_id")`,
    ],
    down: [`DROP INDEX "public"."ix_user_idp_links_user"`, `DROP TABLE "user_idp_links"`],
  },
});
