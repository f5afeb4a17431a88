import { describe, expect, it } from 'vitest';
import { buildManifest, buildRules, parseExtensionConfig } from '../src/index.js';

const config = parseExtensionConfig({
  pageOrigins: ['https://orders.example.com', 'https://*.pasarela.example'],
});

const SET_ORIGIN = {
  type: 'modifyHeaders',
  requestHeaders: [{ header: 'origin', operation: 'set', value: 'https://web.whatsapp.com' }],
};

describe('the rules', () => {
  it(
    'set WhatsApp Web’s Origin on the WebSocket ' + 'upgrade and on uploads with their preflight',
    () => {
      expect(buildRules(config)).toEqual([
        {
          id: 1,
          priority: 1,
          action: SET_ORIGIN,
          condition: {
            requestDomains: ['web.whatsapp.com'],
            initiatorDomains: ['orders.example.com', 'pasarela.example'],
            resourceTypes: ['websocket'],
          },
        },
        {
          id: 2,
          priority: 1,
          action: SET_ORIGIN,
          condition: {
            requestDomains: ['whatsapp.net'],
            initiatorDomains: ['orders.example.com', 'pasarela.example'],
            resourceTypes: ['xmlhttprequest'],
            requestMethods: ['post', 'options'],
          },
        },
      ]);
    },
  );
});

describe('the manifest', () => {
  it(
    'asks for host access to the WebSocket host, ' + 'the upload hosts and the pages, nothing else',
    () => {
      const manifest = buildManifest(config, '1.2.3');
      expect(manifest.permissions).toEqual(['declarativeNetRequestWithHostAccess']);
      expect(manifest.host_permissions).toEqual([
        'wss://web.whatsapp.com/*',
        'https://*.whatsapp.net/*',
        'https://orders.example.com/*',
        'https://*.pasarela.example/*',
      ]);
    },
  );

  it('is Manifest V3 with one static ruleset, no scripts and Spanish by default', () => {
    const manifest = buildManifest(config, '1.2.3') as unknown as Record<string, unknown>;
    expect(manifest).toMatchObject({
      manifest_version: 3,
      version: '1.2.3',
      default_locale: 'es',
      name: '__MSG_extName__',
      description: '__MSG_extDescription__',
      declarative_net_request: {
        rule_resources: [{ id: 'whatsapp_origin', enabled: true, path: 'rules.json' }],
      },
    });
    for (const key of ['background', 'content_scripts', 'action', 'web_accessible_resources']) {
      expect(manifest).not.toHaveProperty(key);
    }
    expect(manifest).not.toHaveProperty('update_url');
  });

  it('names the update manifest of a self-hosted build', () => {
    const selfHosted = parseExtensionConfig({
      pageOrigins: ['https://orders.example.com'],
      selfHosting: {
        updateUrl: 'https://ext.example.com/update.xml',
        crxUrl: 'https://ext.example.com/p.crx',
        keyFile: '/keys/p.pem',
      },
    });
    expect(buildManifest(selfHosted, '1.0').update_url).toBe('https://ext.example.com/update.xml');
  });
});
