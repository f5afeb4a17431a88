/**
 * `npm run bench -w @pasarela/web` runs every benchmark of the workspace;
 * `-- relay` or `-- browser` runs one: the library's own ceiling in Node
 * (`relay`), or the peer in Chromium beside the Node peer through a real
 * room (`browser`).
 */
const chosen = process.argv.slice(2);
const all = chosen.length === 0;

if (all || chosen.includes('relay')) await import('./relay.bench.js');
if (all || chosen.includes('browser')) await import('./browser.bench.js');
