/**
 * Writes `.env.example` from the variable table (`src/config/variables.ts`):
 *   npm run env-example -w session-worker
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { envExampleText } from '../src/config/index.js';

const path = fileURLToPath(new URL('../.env.example', import.meta.url));
writeFileSync(path, envExampleText());
process.stdout.write(`wrote ${path}\n`);
