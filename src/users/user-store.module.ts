import { Module } from '@nestjs/common';
import { UsersRepository } from './users.repository.js';

/** The user aggregate's storage, shared by the users, email and auth modules. */
@Module({ providers: [UsersRepository], exports: [UsersRepository] })
export class UserStoreModule {}
