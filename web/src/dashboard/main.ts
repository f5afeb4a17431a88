import type { Inspection } from '@pasarela/broker';
import { fill, h, setText } from '../pages/ui/dom.js';
import { InspectionClient } from './api.js';
import { isTokenRefusal, refusalText, roomRefusalText } from './auth.js';
import { RoomCharts } from './charts.js';
import { RoomSeries } from './series.js';
import { judgeToken } from './token.js';
import { renderRoom, roomList } from './views.js';

/** How often the open room and the list are read again. */
const REFRESH_MS = 2_000;
const SESSION_KEY = 'pasarela:admin';

interface Credentials {
  readonly origin: string;
  readonly token: string;
}

const refusal = h('p', { class: 'refusal', role: 'alert', 'data-testid': 'refusal', hidden: true });
const who = h('p', { class: 'who', 'data-testid': 'who' });
const updated = h('p', { class: 'updated', 'aria-live': 'off' });
const rooms = h('nav', { 'aria-label': 'Rooms' });
const roomTitle = h('h2', { 'data-testid': 'room-title' });
const roomNow = h('div', { class: 'room' });
const roomHistory = h('div', { class: 'room' });
const charts = new RoomCharts();
const origin = h('input', {
  id: 'origin',
  type: 'url',
  required: true,
  placeholder: 'https://rooms.example.com',
});
const token = h('input', { id: 'token', type: 'password', required: true, autocomplete: 'off' });
const signIn = h(
  'form',
  { class: 'signin', 'data-testid': 'signin' },
  h('label', { for: 'origin' }, 'Room URL'),
  origin,
  h('label', { for: 'token' }, 'Admin token'),
  token,
  h('button', { type: 'submit' }, 'Open'),
);
const signOut = h('button', { type: 'button', hidden: true }, 'Sign out');

let client: InspectionClient | null = null;
let selected: string | null = null;
let series = new RoomSeries();
let timer: ReturnType<typeof setTimeout> | null = null;

function refuse(text: string): void {
  refusal.hidden = false;
  setText(refusal, text);
}

function stop(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  client = null;
  sessionStorage.removeItem(SESSION_KEY);
  signIn.hidden = false;
  signOut.hidden = true;
  fill(rooms);
  fill(roomNow);
  fill(roomHistory);
  setText(roomTitle, '');
  setText(who, '');
}

function start(credentials: Credentials): void {
  const verdict = judgeToken(credentials.token, Date.now());
  if (!verdict.ok) {
    stop();
    refuse(refusalText(verdict));
    return;
  }
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(credentials));
  refusal.hidden = true;
  signIn.hidden = true;
  signOut.hidden = false;
  client = new InspectionClient(credentials.origin, credentials.token);
  const expires = new Date(verdict.view.expiresAt * 1000).toLocaleString();
  setText(
    who,
    `Admin for ${verdict.everyTenant ? 'every tenant' : verdict.view.tenant}, until ${expires}`,
  );
  selected = verdict.everyTenant ? selected : verdict.view.tenant;
  void refresh(verdict.everyTenant);
}

function open(tenant: string): void {
  if (tenant !== selected) series = new RoomSeries();
  selected = tenant;
  void refresh(true);
}

async function refresh(listRooms: boolean): Promise<void> {
  if (timer !== null) clearTimeout(timer);
  const current = client;
  if (!current) return;
  try {
    if (listRooms) fill(rooms, roomList(await current.rooms(), open));
    if (selected) show(await current.inspect(selected));
    refusal.hidden = true;
    setText(updated, `Updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    if (client !== current) return;
    refuse(roomRefusalText(error));
    if (isTokenRefusal(error)) {
      stop();
      return;
    }
  }
  if (client === current) timer = setTimeout(() => void refresh(listRooms), REFRESH_MS);
}

function show(room: Inspection): void {
  series.add(room);
  setText(roomTitle, `Room ${room.tenant}`);
  renderRoom({ now: roomNow, history: roomHistory }, room, series);
  charts.update(series);
}

function credentialsFromHash(): Partial<Credentials> {
  const hash = new URLSearchParams(location.hash.slice(1));
  // The fragment never reaches a server; it is dropped from the address bar at once.
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return {
    ...(hash.get('token') ? { token: hash.get('token')! } : {}),
    ...(hash.get('room') ? { origin: hash.get('room')! } : {}),
  };
}

async function defaultOrigin(): Promise<string> {
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    const body = (await response.json()) as { roomOrigin?: unknown };
    return typeof body.roomOrigin === 'string' ? body.roomOrigin : '';
  } catch {
    return '';
  }
}

async function boot(): Promise<void> {
  document
    .getElementById('app')
    ?.replaceChildren(
      h('header', {}, h('h1', {}, 'Pasarela rooms'), who, signOut),
      refusal,
      signIn,
      h(
        'div',
        { class: 'layout' },
        rooms,
        h('main', {}, roomTitle, updated, roomNow, charts.element, roomHistory),
      ),
    );
  signIn.addEventListener('submit', (event) => {
    event.preventDefault();
    start({ origin: origin.value.trim(), token: token.value.trim() });
    token.value = '';
  });
  signOut.addEventListener('click', () => {
    stop();
    refusal.hidden = true;
  });
  const fromHash = credentialsFromHash();
  const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Credentials | null;
  origin.value = fromHash.origin ?? stored?.origin ?? (await defaultOrigin());
  const tokenText = fromHash.token ?? stored?.token;
  if (tokenText && origin.value) start({ origin: origin.value, token: tokenText });
}

void boot();
