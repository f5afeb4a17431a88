export { startStandin, type Standin } from './standin.js';
export { resolveOptions, type StandinOptions, type ListenAddress } from './options.js';
export { STANDIN_DEFAULTS } from './defaults.js';
export { StandinError, STANDIN_ERRORS, type StandinErrorCode } from './errors.js';
export {
  ControlClient,
  ControlError,
  type PhoneChoice,
  type NewContactSpec,
  type ContactMessage,
} from './control/client.js';
export { STANDIN_NOTICE, type StandinInfo } from './control/info.js';
export type { AccountView, DeviceView, ContactView, PhoneView } from './control/views.js';
export type {
  ReceivedMessage,
  ReceivedMedia,
  SentMessage,
  SentMedia,
  DeviceCopy,
  CopyState,
  FailureRecord,
  FailureStage,
} from './messaging/log.js';
export type { MailCounts } from './messaging/mailbox.js';
export type { AccountFaults, HostFaults, OriginRule } from './faults.js';
export { WHATSAPP_WEB_ORIGIN, ALL_ACCOUNTS } from './faults.js';
export type {
  RequestRecord,
  ConnectionRecord,
  LoginRecord,
  RegistrationRecord,
  RecordsSnapshot,
  OpenSample,
  HeaderPair,
} from './records.js';
export type { PairedDevice } from './phone/pair.js';
export type { MediaSummary } from './media/store.js';
export { STREAM_ERROR_CODES, type StreamErrorCode } from './session/stream-errors.js';
export { useStandinNoiseRoot } from './noise/fallback.js';
