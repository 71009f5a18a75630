// `npm run start:dev`: the service in watch mode. tsc recompiles changed sources into dist/
// (incrementally, as `npm run build` does) and `node --watch` restarts the server whenever a file
// it loaded changes; the mail templates are copied again when they change. Stop with Ctrl-C.
// (With the Nest CLI installed, `nest start --watch` does the same from nest-cli.json.)
import { spawn, spawnSync } from 'node:child_process';
import { watch } from 'node:fs';

const tsc = ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'];
const copyAssets = () => spawnSync(process.execPath, ['scripts/copy-assets.mjs'], { stdio: 'inherit' });

// one build first, so the server starts from an up-to-date dist/
if (spawnSync(process.execPath, tsc, { stdio: 'inherit' }).status !== 0) console.error('start:dev: the build has errors; watching anyway');
copyAssets();

const children = [
  spawn(process.execPath, [...tsc, '--watch', '--preserveWatchOutput'], { stdio: 'inherit' }),
  spawn(process.execPath, ['--watch', 'dist/src/main.js'], { stdio: 'inherit' }),
];
watch('src/email/templates', () => copyAssets());

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
