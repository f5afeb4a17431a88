import type { ExtensionConfig } from './config.js';
import { EXTENSION_DEFAULTS } from './defaults.js';

export interface Manifest {
  readonly manifest_version: 3;
  readonly name: string;
  readonly short_name: string;
  readonly description: string;
  readonly version: string;
  readonly default_locale: string;
  readonly minimum_chrome_version: string;
  readonly icons: Readonly<Record<string, string>>;
  readonly permissions: readonly string[];
  readonly host_permissions: readonly string[];
  readonly declarative_net_request: {
    readonly rule_resources: readonly [
      { readonly id: string; readonly enabled: true; readonly path: string },
    ];
  };
  readonly update_url?: string;
}

export const RULES_FILE = 'rules.json';

/**
 * The host permissions Chromium needs before it applies a `modifyHeaders`
 * rule, as measured (README, "Permissions"): the request's URL and the
 * page that starts it must both be granted. A `wss://` URL needs a `wss://`
 * pattern; `https://*.whatsapp.com/*` does not cover it.
 */
export function hostPermissions(config: ExtensionConfig): string[] {
  return [
    `wss://${EXTENSION_DEFAULTS.websocketHost}/*`,
    `https://*.${EXTENSION_DEFAULTS.uploadDomain}/*`,
    ...config.pageOrigins.map((origin) => origin.hostPermission),
  ];
}

/**
 * Manifest V3 with declarative rules only: no background script, no
 * content script, no page of its own. `declarativeNetRequestWithHostAccess`
 * grants nothing outside the host permissions (plain `declarativeNetRequest`
 * would also let it block requests on every site, and asks the user for
 * that).
 */
export function buildManifest(config: ExtensionConfig, version: string): Manifest {
  const icons = Object.fromEntries(
    EXTENSION_DEFAULTS.iconSizes.map((size) => [String(size), `icons/icon-${size}.png`]),
  );
  return {
    manifest_version: 3,
    name: '__MSG_extName__',
    short_name: '__MSG_extShortName__',
    description: '__MSG_extDescription__',
    version,
    default_locale: EXTENSION_DEFAULTS.defaultLocale,
    minimum_chrome_version: EXTENSION_DEFAULTS.minimumChromeVersion,
    icons,
    permissions: ['declarativeNetRequestWithHostAccess'],
    host_permissions: hostPermissions(config),
    declarative_net_request: {
      rule_resources: [{ id: EXTENSION_DEFAULTS.rulesetId, enabled: true, path: RULES_FILE }],
    },
    ...(config.selfHosting ? { update_url: config.selfHosting.updateUrl } : {}),
  };
}
