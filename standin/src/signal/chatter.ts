/**
 * What libsignal prints on its own in normal use: each session it closes
 * (with its keys) and the note that a prekey message replaced a session.
 * Both happen whenever Baileys refetches keys for a newly mapped LID, for
 * Baileys' sessions and the simulated devices' alike (one libsignal per process).
 */
const CHATTER = [
  'Closing session:',
  'Closing open session in favor of incoming prekey bundle',
  'Closing stale open session',
  'Decrypted message with closed session.',
] as const;

export function isLibsignalChatter(first: unknown): boolean {
  return typeof first === 'string' && CHATTER.some((line) => first.startsWith(line));
}

/**
 * Leaves libsignal's chatter out of a process's console (the CLI, whose
 * stdout carries its JSON line; the test runner). Other output is untouched,
 * including libsignal's reports of messages it could not decrypt.
 */
export function quietLibsignal(target: Pick<Console, 'log' | 'info' | 'warn'> = console): void {
  for (const method of ['log', 'info', 'warn'] as const) {
    const original = target[method].bind(target);
    target[method] = (...args: unknown[]) => {
      if (!isLibsignalChatter(args[0])) original(...args);
    };
  }
}
