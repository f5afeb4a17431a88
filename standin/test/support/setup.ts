import { quietLibsignal } from '../../src/signal/chatter.js';

quietLibsignal();
