import type { MigrationInterface, QueryRunner } from 'typeorm';
import { databaseKind } from '../database-kind.js';

interface Statements {
  up: string[];
  down: string[];
}

/**
 * A migration written for both databases: the statements `typeorm migration:generate`
 * produced against SQLite and against PostgreSQL, kept side by side, so each database gets
 * exactly the schema its entities describe (the migration test proves no drift on either).
 * To add one: generate against each database, paste both lists into a new dualMigration.
 */
export function dualMigration(name: string, sql: { sqlite: Statements; postgres: Statements }): new () => MigrationInterface {
  const pick = (q: QueryRunner) => sql[databaseKind(q.connection.driver.options)];
  const cls = class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      for (const s of pick(q).up) await q.query(s);
    }
    async down(q: QueryRunner): Promise<void> {
      for (const s of pick(q).down) await q.query(s);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
