// libsignal (under Baileys and the stand-in) prints every session it closes,
// keys included; the suite's log leaves those lines out.
const CHATTER = [
  'Closing session:',
  'Closing open session in favor of incoming prekey bundle',
  'Closing stale open session',
  'Decrypted message with closed session.',
];

for (const method of ['log', 'info', 'warn'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    const [first] = args;
    if (typeof first === 'string' && CHATTER.some((line) => first.startsWith(line))) return;
    original(...args);
  };
}
