import { join } from 'node:path';
import type { ProcessSet, StackChild } from '../processes.js';
import { DEV_DEFAULTS, REPO_ROOT } from '../options.js';

/** What the stand-in prints on its first line (`standin/README.md`). */
export interface StandinInfo {
  readonly hostMap: Readonly<Record<string, string>>;
  readonly plain: { readonly ws: string; readonly http: string } | null;
  readonly controlUrl: string;
  readonly caPath: string;
  readonly webHost: string;
  readonly mediaHost: string;
  readonly uploadHosts: readonly string[];
}

function parseInfo(line: string): StandinInfo | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const info = JSON.parse(line) as Partial<StandinInfo>;
    return info.controlUrl && info.hostMap && info.caPath ? (info as StandinInfo) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The WhatsApp stand-in with its plain development listener, every
 * listener on loopback and on a free port. It prints its addresses once.
 */
export async function startStandin(
  processes: ProcessSet,
  logDir: string,
): Promise<{ child: StackChild; info: StandinInfo }> {
  const child = processes.start({
    name: 'standin',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'standin/src/cli.ts'), '--plain-host', '127.0.0.1'],
    cwd: REPO_ROOT,
    env: { ...process.env },
    logFile: join(logDir, 'standin.log'),
  });
  const info = await child.firstLine(parseInfo, DEV_DEFAULTS.standinStartMs, 'start-up line');
  return { child, info };
}

/**
 * The page's development host map: every WhatsApp name the stand-in serves,
 * to its plain endpoint, which an `http://localhost` page may reach.
 */
export function pageHostMap(info: StandinInfo): Record<string, string> {
  if (!info.plain) throw new Error('the stand-in was started without its plain listener');
  const map: Record<string, string> = {};
  for (const host of [info.webHost, info.mediaHost, ...info.uploadHosts]) {
    map[host] = info.plain.http;
  }
  return map;
}
