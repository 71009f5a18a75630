import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { replacePrivateFile, restrictFile } from '../common/private-files.js';
import { Clock } from '../common/clock.js';
import { IdGenerator } from '../common/id-generator.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { INSTANCE_SCOPE } from '../database/entities/membership.entity.js';
import { UserEntity } from '../database/entities/user.entity.js';
import { Dialect } from '../database/dialect.js';
import { UnitOfWork } from '../database/unit-of-work.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { UserStore } from '../users/user-store.js';
import { MembershipsService } from '../auth/memberships.service.js';
import { TokenService } from '../auth/token.service.js';

/**
 * First start on an empty database: the default organisation, an admin with IAM_OWNER and a
 * PAT written to ADMIN_PAT_PATH (0600). The log names the file, never the token.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly dialect: Dialect,
    private readonly orgs: OrganizationsService,
    private readonly users: UserStore,
    private readonly tokens: TokenService,
    private readonly memberships: MembershipsService,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // a token file left from an earlier start (or copied in) is made private too (spec §7.8)
    restrictFile(this.config.adminPatPath);
    let token: string | null;
    try {
      token = await this.bootstrap();
    } catch (e) {
      // two instances starting on one empty database: the other one's default organisation won
      if (this.dialect.isUniqueViolation(e, 'organizations')) {
        this.logger.log('another instance created the default organisation and admin first');
        return;
      }
      throw e;
    }
    if (token === null) return;
    // a new 0600 file in place of any older one (whose mode would otherwise survive)
    replacePrivateFile(this.config.adminPatPath, token + '\n');
    this.logger.log(
      `empty database: created the default organisation and the admin user; admin PAT written to ${this.config.adminPatPath}`,
    );
  }

  /** Creates the first organisation, admin and PAT on an empty database; returns the PAT, or null when there was nothing to do. */
  private bootstrap(): Promise<string | null> {
    return this.uow.run(async (em) => {
      const now = this.clock.now();
      const orgId = await this.orgs.addDefault(em, now);
      if (orgId === null) return null;
      const admin = Object.assign(new UserEntity(), {
        id: this.ids.next(),
        orgId,
        type: 'human',
        state: 'active',
        username: 'admin',
        givenName: 'Instance',
        familyName: 'Admin',
        displayName: 'Instance Admin',
        email: 'admin@localhost',
        emailVerified: true,
        sequence: 0,
        createdAt: now,
        changedAt: now,
      } satisfies Partial<UserEntity>);
      await this.users.create(
        em,
        admin,
        [{ type: 'user.human.added', payload: { username: 'admin' } }, { type: 'user.human.email.verified' }],
        '',
      );
      await this.memberships.grant(em, admin.id, INSTANCE_SCOPE, ['IAM_OWNER'], now);
      await this.memberships.grant(em, admin.id, orgId, ['ORG_OWNER'], now);
      return (await this.tokens.issue(em, admin.id, null)).token;
    });
  }
}
