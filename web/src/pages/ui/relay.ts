import { createTabPeer, Emitter } from '../../peer/index.js';
import type { RelayPeer, TabPeer, TabPeerOptions, TabRole } from '../../peer/index.js';
import type { PageConfig } from './backend.js';
import type { IndicatorInput } from './indicator.js';
import type { ConsentChoice, Preferences } from './preferences.js';

/** What the page shows of this browser's relaying: the indicator's input and the tab's role. */
export interface RelayView extends IndicatorInput {
  /** `off` while staff have not agreed (or withdrew): no peer runs in this browser. */
  readonly role: TabRole | 'off';
}

export interface RelayEvents {
  change: RelayView;
  /** The peer this tab runs while it leads, for its counters; null when it stops leading. */
  peer: RelayPeer | null;
}

export interface RelayControlOptions {
  readonly config: PageConfig;
  readonly preferences: Preferences;
  readonly getToken: () => Promise<string>;
  /** Injected in tests of the page logic; the peer library's TabPeer by default. */
  readonly createTab?: (options: TabPeerOptions) => TabPeer;
}

const OFF: RelayView = {
  role: 'off',
  joined: false,
  link: null,
  state: null,
  legs: null,
  status: null,
};

/**
 * This page's part in relaying: nothing runs until staff agree (opt-in),
 * then the tab joins the browser's election (one peer per browser). A
 * pause is a staff choice of this browser, so it is kept and applied to
 * every peer the browser runs after it, in this tab or another.
 */
export class RelayControl {
  readonly events = new Emitter<RelayEvents>();
  readonly #options: RelayControlOptions;
  #tab: TabPeer | null = null;
  #view: RelayView = OFF;

  constructor(options: RelayControlOptions) {
    this.#options = options;
  }

  get view(): RelayView {
    return this.#view;
  }

  get consent(): ConsentChoice | null {
    return this.#options.preferences.consent();
  }

  get peer(): RelayPeer | null {
    return this.#tab?.peer ?? null;
  }

  /** Joins if staff agreed earlier in this browser; otherwise waits for `accept()`. */
  start(): void {
    if (this.consent === 'given') this.#join();
  }

  accept(): void {
    this.#options.preferences.setConsent('given');
    this.#join();
  }

  /** Staff said no, or withdrew: this browser stops relaying and remembers it. */
  decline(): void {
    this.#options.preferences.setConsent('declined');
    this.#leave();
  }

  pause(): void {
    this.#options.preferences.setPaused(true);
    this.#tab?.pause();
  }

  resume(): void {
    this.#options.preferences.setPaused(false);
    this.#tab?.resume();
  }

  /** Another tab of this browser changed a choice (a `storage` event). */
  choicesChanged(): void {
    if (this.consent === 'given') this.#join();
    else this.#leave();
  }

  stop(): void {
    this.#leave();
  }

  #join(): void {
    if (this.#tab) return;
    const { config, preferences } = this.#options;
    const create = this.#options.createTab ?? createTabPeer;
    const tab = create({
      ...config.peer,
      host: config.room.host,
      protocol: config.room.protocol,
      tenant: config.tenant,
      mode: config.mode,
      ...(config.devHostMap ? { devHostMap: config.devHostMap } : {}),
      getToken: this.#options.getToken,
    });
    this.#tab = tab;
    tab.on('peer', (peer) => {
      // The peer is created before it joins: paused here, its first word to the room says so.
      if (peer && preferences.paused()) peer.pause();
      this.events.emit('peer', peer);
    });
    tab.on('view', () => this.#update());
    tab.start();
    this.#update();
  }

  #leave(): void {
    const tab = this.#tab;
    if (!tab) return;
    this.#tab = null;
    tab.stop();
    this.#update();
  }

  #update(): void {
    const tab = this.#tab;
    if (!tab) {
      this.#view = OFF;
    } else {
      const view = tab.view;
      this.#view = {
        role: view.role,
        joined: true,
        link: view.status,
        state: view.state,
        legs: view.legs,
        status: view.tenantStatus,
      };
    }
    this.events.emit('change', this.#view);
  }
}
