/**
 * Everything the extension's build decides that is not deployment
 * configuration, in one object.
 */
export const EXTENSION_DEFAULTS = Object.freeze({
  /** The Origin WhatsApp Web's own page sends, which Baileys sends too. */
  whatsappOrigin: 'https://web.whatsapp.com',
  /** The one host Baileys opens its WebSocket to (`wss://web.whatsapp.com/ws/chat`). */
  websocketHost: 'web.whatsapp.com',
  /** Uploads go to the hosts the media connection lists, all under this domain. */
  uploadDomain: 'whatsapp.net',
  /**
   * `requestDomains` and `initiatorDomains` in declarative rules arrived in
   * Chromium 101; `declarativeNetRequestWithHostAccess` in 96.
   */
  minimumChromeVersion: '101',
  /** The static ruleset's id in the manifest. */
  rulesetId: 'whatsapp_origin',
  /** Where the build writes, relative to the workspace. */
  outDir: 'dist',
  /** The build's configuration file, relative to the workspace. */
  configFile: 'extension.config.json',
  /** The environment variable that overrides the file's page origins (comma-separated). */
  originsEnv: 'PASARELA_EXTENSION_PAGE_ORIGINS',
  /** The default language of the listing and the manifest strings. */
  defaultLocale: 'es',
  /** Icon sizes Chromium and the Web Store ask for. */
  iconSizes: [16, 32, 48, 128],
});
