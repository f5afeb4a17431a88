import type { Texts } from './types.js';

const times = (count: number) => (count === 1 ? 'once' : `${count} times`);

/** English. */
export const EN: Texts = {
  language: 'en',
  languageName: 'English',
  state: {
    protected: 'Protected',
    latency: 'Protected, with delays',
    reconnecting: 'Restoring protection',
    server: 'Using the server',
  },
  headline: {
    notJoined: 'This browser is not protecting',
    waitingForTab: 'Not protected: WhatsApp paused',
  },
  cause: {
    tunnel: "WhatsApp goes out through the restaurant's internet connection.",
    'slow-peer':
      "The restaurant's internet connection is slow. WhatsApp may take longer to send and receive.",
    'not-joined': "This browser does not carry the restaurant's WhatsApp traffic yet.",
    'room-link': 'This browser is reconnecting.',
    'no-word': 'Waiting for news from the WhatsApp server.',
    moving: "The restaurant's connection is ready; WhatsApp will switch to it in a few seconds.",
    probing: 'Checking which parts of WhatsApp this browser can carry.',
    'policy-direct':
      'Protection is turned off for this restaurant: WhatsApp works through the server.',
    leak:
      'Some WhatsApp traffic left through the server when it should have gone through the ' +
      'restaurant.',
    leg: 'This browser cannot carry one part of WhatsApp; that part goes through the server.',
    partial: 'Part of the WhatsApp traffic goes through the server.',
    'no-peer': 'No browser at the restaurant is carrying WhatsApp.',
  },
  meanwhile: {
    server: 'Meanwhile, WhatsApp keeps working through the server, which is less safe.',
    waiting: 'Meanwhile, WhatsApp is paused.',
  },
  flags: {
    leaks: (count) => `WhatsApp traffic was seen leaving through the server (${times(count)}).`,
    unservable: (legs) => `This browser cannot carry: ${legs}.`,
    paused: 'Paused by staff in this browser.',
    waitingForTab: 'WhatsApp is paused until a tab is open to carry it.',
  },
  legs: {
    websocket: "WhatsApp's main connection",
    download: 'incoming photos and files',
    upload: 'outgoing photos and files',
  },
  routes: {
    title: 'Where each part goes',
    route: {
      tunnel: 'through the restaurant',
      direct: 'through the server',
      none: 'paused',
    },
    roundTrip: (ms) => `Response time: ${Math.round(ms)} ms`,
  },
  notices: {
    'protection-on': "Protection on: WhatsApp uses the restaurant's connection.",
    'protection-restored': 'Protection restored.',
    'protection-off': 'Protection is off, but WhatsApp keeps working.',
    slow: "The restaurant's connection is slow. WhatsApp keeps working but may take longer.",
    leak: (count) =>
      `Warning: WhatsApp traffic left through the server (${times(count)}). ` +
      'WhatsApp keeps working.',
    leg: (legs) =>
      `This browser cannot carry ${legs}; that part goes through the server. ` +
      'WhatsApp keeps working.',
    paused: 'Protection paused in this browser. WhatsApp keeps working.',
    resumed: 'Protection resumed in this browser.',
    'whatsapp-waiting': 'WhatsApp is paused until a tab is open to carry it.',
  },
  noticeTitle: 'Pasarela',
  session: {
    title: 'WhatsApp',
    states: {
      connected: 'Connected',
      qr: 'The phone needs linking',
      starting: 'Connecting…',
      reconnecting: 'Reconnecting…',
      stopped: 'Off',
      logged_out: 'Logged out: link the phone again',
      replaced: 'Open somewhere else',
      failed: 'In trouble: tell support',
    },
    unknown: (state) => `State: ${state}`,
    none: 'No news yet',
  },
  consent: {
    title: 'Use this tab to protect WhatsApp?',
    body: [
      "While this tab is open, the restaurant's WhatsApp traffic (messages, photos and files) " +
        "will go out through this place's internet connection instead of through the server.",
      "WhatsApp then sees the restaurant's own connection, which makes it less likely to block " +
        'the number.',
      'Messages stay encrypted: this browser cannot read them. You can pause it at any time.',
    ],
    accept: 'Yes, use this tab',
    decline: 'Not now',
    declinedBanner:
      'This browser does not carry the WhatsApp traffic. WhatsApp works through the server, ' +
      'which is less safe.',
    enable: 'Use this tab',
    withdraw: 'Stop using this browser',
  },
  controls: {
    pause: 'Pause protection',
    resume: 'Resume protection',
    pauseHint: 'While paused, WhatsApp keeps working through the server.',
    details: 'Show details',
    notificationsEnable: 'Turn on alerts',
    notificationsOn: 'Alerts on',
    notificationsBlocked: 'The browser blocked alerts; they will show on this page.',
    notificationsUnavailable: 'This browser cannot show alerts; they will show on this page.',
    language: 'Language',
    dismiss: 'Dismiss',
    skip: 'Skip to content',
  },
  browser: {
    paused: 'Paused: it does not carry the WhatsApp traffic.',
    title: 'This browser',
    leader: 'Carries the WhatsApp traffic.',
    standby: 'Another tab of this browser carries the traffic; this one waits in case it closes.',
    off: 'Does not carry the WhatsApp traffic.',
    carried: (requests, amount) =>
      `Has carried ${requests} ${requests === 1 ? 'exchange' : 'exchanges'} (${amount}).`,
  },
  history: { title: 'Recent alerts', empty: 'No alerts.' },
  pages: {
    dashboard: { title: 'Restaurant dashboard', connectLink: 'Link WhatsApp' },
    kds: {
      title: 'Kitchen display',
      orders:
        "Keep this screen open: besides showing orders, it protects the restaurant's WhatsApp.",
    },
    connect: {
      title: 'Link WhatsApp',
      intro: "Link the restaurant's phone with the QR code or with an 8-letter code.",
      qrTitle: 'With the QR code',
      qrSteps: [
        "Open WhatsApp on the restaurant's phone.",
        'Go to Settings › Linked devices › Link a device.',
        'Point the camera at this code.',
      ],
      qrAlt: 'QR code to link WhatsApp',
      qrWaiting: 'Waiting for the QR code…',
      start: 'Start linking',
      codeTitle: 'With a code',
      codeIntro: "Type the restaurant phone's number with its country code.",
      phoneLabel: 'Phone number',
      codeAsk: 'Get a code',
      codeShown: (code) => `Type this code on the phone: ${code}`,
      codeFailed: 'The code could not be requested. Check the number and try again.',
      connected: 'WhatsApp is linked and connected.',
      backToDashboard: 'Back to the dashboard',
    },
  },
  errors: {
    backend: "The restaurant's system could not be reached.",
    retry: 'Try again',
  },
};
