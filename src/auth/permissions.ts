export type Permission = 'user.read' | 'user.write' | 'org.create' | 'org.member.write' | 'mail.admin' | 'action.admin';

export const ROLES = ['IAM_OWNER', 'ORG_OWNER', 'ORG_USER_MANAGER', 'ORG_USER_VIEWER'] as const;
export type Role = (typeof ROLES)[number];
export const ORG_ROLES: readonly Role[] = ['ORG_OWNER', 'ORG_USER_MANAGER', 'ORG_USER_VIEWER'];

/** What each role may do; docs/api.md lists it. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  IAM_OWNER: ['user.read', 'user.write', 'org.create', 'org.member.write', 'mail.admin', 'action.admin'],
  ORG_OWNER: ['user.read', 'user.write', 'org.member.write'],
  ORG_USER_MANAGER: ['user.read', 'user.write'],
  ORG_USER_VIEWER: ['user.read'],
};

export const roleGrants = (roles: readonly string[], permission: Permission): boolean =>
  roles.some((r) => (ROLE_PERMISSIONS as Record<string, readonly Permission[] | undefined>)[r]?.includes(permission));
