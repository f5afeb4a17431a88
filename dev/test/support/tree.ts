import { readdir, readFile } from 'node:fs/promises';

/** Every process whose chain of parents leads to `root` (from /proc), with its command. */
export async function descendants(root: number): Promise<Map<number, string>> {
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // The command sits in parentheses and may hold spaces; the fields after it do not.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(after[1]));
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      commands.set(Number(entry), cmdline.split('\0').join(' ').trim().slice(0, 160));
    } catch {
      // Gone while we read.
    }
  }
  const found = new Map<number, string>();
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, parent] of parents) {
      if (frontier.includes(parent) && !found.has(pid)) {
        found.set(pid, commands.get(pid) ?? '');
        next.push(pid);
      }
    }
    frontier = next;
  }
  return found;
}

/** The processes of `pids` still alive: present in /proc and not a zombie awaiting its reaper. */
export async function stillRunning(pids: Iterable<number>): Promise<number[]> {
  const alive: number[] = [];
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    if (stat !== '' && state !== 'Z' && state !== 'X') alive.push(pid);
  }
  return alive;
}
