// DataSource for the TypeORM CLI (npm run migration:run / migration:generate), built from the
// same validated configuration as the app.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';

export default new DataSource(dataSourceOptions(loadConfig()));
