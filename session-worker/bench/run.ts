/**
 * Runs one named benchmark: `npm run bench -w session-worker -- <name>`.
 * Each benchmark is `bench/<name>.bench.ts` and prints its own figures.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const folder = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(folder)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length))
  .sort();
const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : available;

for (const name of names) {
  if (!available.includes(name)) {
    process.stderr.write(`unknown benchmark "${name}"; available: ${available.join(', ')}\n`);
    process.exit(2);
  }
}
for (const name of names) {
  await import(pathToFileURL(`${folder}/${name}.bench.ts`).href);
}
