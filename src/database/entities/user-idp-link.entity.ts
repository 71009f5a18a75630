import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns.js';

/**
 * A user's identity at an identity provider (ZITADEL's IDPLink): the user that provider knows
 * as `externalUserId`. A JWT's subject reaches a local user only through such a link (spec
 * §7.9), so one external identity names at most one local user.
 */
@Entity('user_idp_links')
@Index('ix_user_idp_links_user', ['userId'])
export class UserIdpLinkEntity {
  @PrimaryColumn({ name: 'idp_id', type: 'varchar', length: 200 })
  idpId!: string;

  /** The user's ID at the provider (ZITADEL's IDPLink.userId; a JWT's `sub`). */
  @PrimaryColumn({ name: 'external_user_id', type: 'varchar', length: 200 })
  externalUserId!: string;

  /** The local user. */
  @Column({ name: 'user_id', type: 'varchar', length: 200 })
  userId!: string;

  @Column({ name: 'external_user_name', type: 'varchar', length: 200 })
  externalUserName!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}
