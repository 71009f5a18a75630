// The build copies non-TypeScript assets (mail templates) next to the compiled code. Files whose
// content is unchanged are left alone, and files gone from the source are removed, so a build of
// an unchanged tree writes nothing.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ASSETS = [['src/email/templates', 'dist/src/email/templates']];

for (const [from, to] of ASSETS) {
  mkdirSync(to, { recursive: true });
  const files = new Set(readdirSync(from));
  for (const file of files) {
    const source = join(from, file);
    const target = join(to, file);
    if (!existsSync(target) || !readFileSync(source).equals(readFileSync(target))) copyFileSync(source, target);
  }
  for (const file of readdirSync(to)) if (!files.has(file)) rmSync(join(to, file));
}
