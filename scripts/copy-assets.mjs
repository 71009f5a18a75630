// The build copies non-TypeScript assets (mail templates) next to the compiled code.
import { cpSync } from 'node:fs';
cpSync('src/email/templates', 'dist/src/email/templates', { recursive: true });
