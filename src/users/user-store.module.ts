import { Module } from '@nestjs/common';
import { UsersRepository } from './users.repository.js';
import { UserTargets } from './user-targets.js';

/** The user aggregate's storage, shared by the users, email and auth modules. */
@Module({ providers: [UsersRepository, UserTargets], exports: [UsersRepository, UserTargets] })
export class UserStoreModule {}
