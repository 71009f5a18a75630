// `npm run docs`: regenerate the generated documentation (see scripts/docs.ts) from the code.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateDocs } from './docs.js';

const docs = await generateDocs();
for (const [file, content] of docs) {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) continue;
  writeFileSync(file, content);
  console.log(`wrote ${file}`);
}
// the app's handles (database, timers) are closed; exit without waiting on stray ones
process.exit(0);
