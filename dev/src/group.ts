import { readdir, readFile } from 'node:fs/promises';

/**
 * Whether a process group still has a living member. On Linux, /proc tells
 * living processes from zombies (a killed grandchild whose parent died is
 * a zombie until init reaps it, and `kill(-group, 0)` still finds it);
 * elsewhere the signal check is all there is.
 */
export async function groupHasLiving(group: number): Promise<boolean> {
  if (process.platform !== 'linux') {
    try {
      process.kill(-group, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat === '') continue;
    // "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === group && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/** Waits until the group has no living member, up to `timeoutMs`; true when it emptied. */
export async function groupEmptied(group: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await groupHasLiving(group)) {
    if (Date.now() > deadline) return false;
    await new Promise((done) => setTimeout(done, 50));
  }
  return true;
}
