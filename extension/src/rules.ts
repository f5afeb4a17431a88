import type { ExtensionConfig } from './config.js';
import { EXTENSION_DEFAULTS } from './defaults.js';

/** A declarativeNetRequest rule, as far as this extension uses one (Chromium's schema). */
export interface OriginRule {
  readonly id: number;
  readonly priority: number;
  readonly action: {
    readonly type: 'modifyHeaders';
    readonly requestHeaders: readonly [
      { readonly header: 'origin'; readonly operation: 'set'; readonly value: string },
    ];
  };
  readonly condition: {
    readonly requestDomains: readonly string[];
    readonly initiatorDomains: readonly string[];
    readonly resourceTypes: readonly ('websocket' | 'xmlhttprequest')[];
    readonly requestMethods?: readonly ('post' | 'options')[];
  };
}

/** The rule ids, stable across versions so a ruleset diff reads plainly. */
export const RULE_IDS = Object.freeze({ websocket: 1, upload: 2 });

/**
 * The extension's whole behaviour: two static rules that set WhatsApp Web's
 * Origin, and nothing else.
 *
 * - The WebSocket upgrade to `web.whatsapp.com` (`resourceTypes:
 *   websocket`; a page cannot set the Origin of its own handshake).
 * - Uploads to WhatsApp's media hosts: Chromium gives `fetch()` and XHR
 *   alike the `xmlhttprequest` type, and matches a CORS preflight on its
 *   own method, so `options` is listed beside `post` or the preflight would
 *   still carry the page's Origin. Downloads (GET) keep the page's Origin.
 *
 * Both apply only to requests a listed page origin starts
 * (`initiatorDomains`; the host permissions keep it to the exact origins).
 */
export function buildRules(config: ExtensionConfig): OriginRule[] {
  const initiatorDomains = [...new Set(config.pageOrigins.map((origin) => origin.domain))];
  const action = {
    type: 'modifyHeaders',
    requestHeaders: [
      { header: 'origin', operation: 'set', value: EXTENSION_DEFAULTS.whatsappOrigin },
    ],
  } as const;
  return [
    {
      id: RULE_IDS.websocket,
      priority: 1,
      action,
      condition: {
        requestDomains: [EXTENSION_DEFAULTS.websocketHost],
        initiatorDomains,
        resourceTypes: ['websocket'],
      },
    },
    {
      id: RULE_IDS.upload,
      priority: 1,
      action,
      condition: {
        requestDomains: [EXTENSION_DEFAULTS.uploadDomain],
        initiatorDomains,
        resourceTypes: ['xmlhttprequest'],
        requestMethods: ['post', 'options'],
      },
    },
  ];
}
