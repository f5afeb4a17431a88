import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { EGRESS_POLICIES } from '@pasarela/shared';
import type { EgressPolicy } from '@pasarela/shared';
import { EGRESS_DEFAULTS } from './defaults.js';
import type { EgressDeadlines, GuardMode } from './defaults.js';
import { EgressConfigError } from './errors.js';
import { compileHostMap, parseAddress } from './host-map.js';
import type { CompiledHostMap, HostMap } from './host-map.js';

/**
 * Start-up checks of the egress settings. Each failure is an
 * `EgressConfigError` naming the setting, so a misconfigured worker stops
 * before its first send rather than failing on it.
 */

export function parsePolicy(value: unknown, setting = 'policy'): EgressPolicy {
  if (typeof value === 'string' && (EGRESS_POLICIES as readonly string[]).includes(value)) {
    return value as EgressPolicy;
  }
  throw new EgressConfigError(
    setting,
    `unknown policy ${JSON.stringify(value)}; expected one of ${EGRESS_POLICIES.join(', ')}`,
  );
}

export function parseGuardMode(value: unknown, setting = 'guardMode'): GuardMode {
  if (value === 'refuse' || value === 'record') return value;
  throw new EgressConfigError(
    setting,
    `unknown mode ${JSON.stringify(value)}; expected refuse or record`,
  );
}

/** Production mode refuses a development host map. */
export function productionDefault(): boolean {
  return process.env.NODE_ENV === 'production';
}

/**
 * Checks a host map and, in production mode, refuses one that is not empty:
 * a map would send WhatsApp's names to other addresses.
 */
export function checkHostMap(
  map: unknown,
  production: boolean,
  setting = 'hostMap',
): CompiledHostMap | undefined {
  if (map === undefined || map === null) return undefined;
  const compiled = compileHostMap(map, setting);
  if (compiled.size === 0) return undefined;
  if (production) {
    throw new EgressConfigError(setting, 'a development host map is refused in production mode');
  }
  return compiled;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits PEM text into certificates, each checked to parse. */
export function parseCaPem(ca: string | Buffer, setting = 'ca'): string[] {
  const text = typeof ca === 'string' ? ca : ca.toString('latin1');
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new EgressConfigError(setting, 'holds no PEM certificate');
  }
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new EgressConfigError(setting, `certificate ${index + 1} does not parse`, {
        cause: error,
      });
    }
  });
  return blocks;
}

/** Reads CA files, naming the one that cannot be read or holds no certificate. */
export function readCaFiles(paths: string | readonly string[], setting = 'caFile'): Buffer {
  const list = typeof paths === 'string' ? [paths] : paths;
  const parts = list.map((path) => {
    let content: Buffer;
    try {
      content = readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new EgressConfigError(setting, `cannot read ${path} (${code})`, { cause: error });
    }
    parseCaPem(content, `${setting} (${path})`);
    return content;
  });
  return Buffer.concat(parts.flatMap((part) => [part, Buffer.from('\n')]));
}

export function checkDeadlines(
  value: Partial<EgressDeadlines> | undefined,
  setting = 'deadlines',
): EgressDeadlines {
  const merged = { ...EGRESS_DEFAULTS.deadlines, ...value };
  for (const [name, number] of Object.entries(merged)) {
    if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) {
      throw new EgressConfigError(`${setting}.${name}`, 'must be a positive number');
    }
  }
  return merged;
}

/** The egress settings of the worker's configuration, as given. */
export interface EgressConfigInput {
  /** Policy for tenants that have none of their own. */
  readonly defaultPolicy?: string;
  /**
   * The development host map: an object, JSON text, or the compact form
   * `web.whatsapp.com=127.0.0.1:41001,*.whatsapp.net=127.0.0.1:41001`.
   */
  readonly hostMap?: HostMap | string;
  /** PEM file(s) with extra certificate authorities to trust. */
  readonly caFile?: string | readonly string[];
  /** Defaults to NODE_ENV === 'production'. */
  readonly production?: boolean;
  readonly guardMode?: string;
}

export interface EgressConfig {
  readonly defaultPolicy: EgressPolicy;
  readonly hostMap: HostMap | undefined;
  readonly ca: Buffer | undefined;
  readonly production: boolean;
  readonly guardMode: GuardMode;
}

export type EgressSettingNames = Partial<Record<keyof EgressConfigInput, string>>;

/**
 * Validates the egress part of the worker's configuration at start-up.
 * `names` spells each setting the way the operator wrote it (an
 * environment variable, a config key), so the error points at it.
 */
export function validateEgressConfig(
  input: EgressConfigInput,
  names: EgressSettingNames = {},
): EgressConfig {
  const name = (key: keyof EgressConfigInput): string => names[key] ?? key;
  const production = input.production ?? productionDefault();
  const defaultPolicy =
    input.defaultPolicy === undefined || input.defaultPolicy === ''
      ? EGRESS_DEFAULTS.defaultPolicy
      : parsePolicy(input.defaultPolicy, name('defaultPolicy'));
  const hostMap = parseHostMapSetting(input.hostMap, name('hostMap'));
  checkHostMap(hostMap, production, name('hostMap'));
  const hasCa = input.caFile !== undefined && input.caFile.length > 0;
  const ca = hasCa ? readCaFiles(input.caFile!, name('caFile')) : undefined;
  const guardMode =
    input.guardMode === undefined || input.guardMode === ''
      ? EGRESS_DEFAULTS.guardMode
      : parseGuardMode(input.guardMode, name('guardMode'));
  return { defaultPolicy, hostMap, ca, production, guardMode };
}

function parseHostMapSetting(value: HostMap | string | undefined, setting: string) {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return undefined;
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as HostMap;
    } catch (error) {
      throw new EgressConfigError(setting, 'is not valid JSON', { cause: error });
    }
  }
  const map: HostMap = {};
  for (const entry of text.split(',')) {
    const [pattern, target, ...rest] = entry.split('=').map((part) => part.trim());
    if (!pattern || target === undefined || rest.length > 0) {
      throw new EgressConfigError(setting, `entry "${entry.trim()}" is not name=host:port`);
    }
    parseAddress(target, `${setting}[${JSON.stringify(pattern)}]`);
    map[pattern] = target;
  }
  return map;
}
