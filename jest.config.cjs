// Nest 12 ships ESM only; @swc/jest turns both our TypeScript and those packages into
// CommonJS for jest, with legacy decorators and emitted metadata as tsc does.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '\\.(spec|e2e-spec|int-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@as-integrations|@fastify/middie|path-to-regexp|file-type|strtok3|token-types|@tokenizer|uint8array-extras|load-esm|@zitadel|content-disposition|jose)/)'],
  moduleNameMapper: {
    // @zitadel/proto's CommonJS build is broken (and @zitadel/client's requires it): use their
    // ES modules, which the transform above turns into CommonJS
    '^@zitadel/proto/(.*?)(\\.js)?$': '<rootDir>/node_modules/@zitadel/proto/es/$1.js',
    '^@zitadel/client/(v1|v2|v3alpha|node|web)$': '<rootDir>/node_modules/@zitadel/client/dist/$1.js',
    '^@zitadel/client$': '<rootDir>/node_modules/@zitadel/client/dist/index.js',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 60000,
};
