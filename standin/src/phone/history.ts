import { deflateSync } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import type { Account, Device } from '../accounts/store.js';
import { contactJid, contactLid } from '../contacts/store.js';
import type { StandinContext } from '../context.js';
import { encryptMedia } from '../media/crypto.js';
import type { ReceivedMessage, SentMessage } from '../messaging/log.js';

/** Messages per chat a new companion gets in its first history chunk. */
const MESSAGES_PER_CHAT = 50;

function webMessage(
  chat: string,
  item: ReceivedMessage | SentMessage,
  contactName: string,
): proto.IWebMessageInfo {
  // A contact's received log holds what the account sent; its sent log what it wrote.
  const fromMe = 'from' in item;
  const message = proto.Message.fromObject(item.message);
  return {
    key: { remoteJid: chat, fromMe, id: item.id },
    message: fromMe ? (message.deviceSentMessage?.message ?? message) : message,
    messageTimestamp: Math.floor(Date.parse(item.time) / 1000),
    status: fromMe ? proto.WebMessageInfo.Status.DELIVERY_ACK : proto.WebMessageInfo.Status.READ,
    ...(fromMe ? {} : { pushName: contactName }),
  };
}

/**
 * The account's chats with the stand-in's contacts, oldest message first,
 * leaving out what was sent to `device` itself (it gets those as messages).
 */
export function accountHistory(
  ctx: StandinContext,
  account: Account,
  device: Device,
): proto.IHistorySync {
  const conversations: proto.IConversation[] = [];
  const mappings: proto.IPhoneNumberToLIDMapping[] = [];
  for (const contact of ctx.contacts.all()) {
    const exchanged = ctx.messages
      .conversation(contact.party, account.phone)
      .filter((item) => !('copies' in item && item.copies.some((c) => c.device === device.device)));
    if (exchanged.length === 0) continue;
    const chat = contactJid(contact);
    const recent = exchanged.slice(-MESSAGES_PER_CHAT);
    conversations.push({
      id: chat,
      lidJid: contactLid(contact),
      name: contact.name,
      conversationTimestamp: Math.floor(Date.parse(recent.at(-1)?.time ?? '') / 1000),
      unreadCount: 0,
      messages: recent.map((item, index) => ({
        message: webMessage(chat, item, contact.name),
        msgOrderId: index + 1,
      })),
    });
    mappings.push({ pnJid: chat, lidJid: contactLid(contact) });
  }
  return {
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    conversations,
    phoneNumberToLidMappings: mappings,
    chunkOrder: 0,
    progress: 100,
  };
}

/**
 * The phone's history-sync notification for a new companion: the history
 * is compressed, encrypted as `md-msg-hist` and put on the media host, and
 * the notification carries only its direct path and keys. It has no URL
 * field, so the companion downloads it from the fixed media host, as from
 * the real service.
 */
export async function historyNotification(
  ctx: StandinContext,
  account: Account,
  device: Device,
): Promise<{ message: proto.IMessage; conversations: number; directPath: string }> {
  const history = accountHistory(ctx, account, device);
  const compressed = deflateSync(proto.HistorySync.encode(history).finish());
  const encrypted = await encryptMedia(compressed, 'md-msg-hist');
  const stored = ctx.media.put(encrypted.file, {
    account: null,
    kind: 'md-msg-hist',
    audience: account.phone,
  });
  const message: proto.IMessage = {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        fileSha256: encrypted.fileSha256,
        fileLength: encrypted.fileLength,
        mediaKey: encrypted.mediaKey,
        fileEncSha256: encrypted.fileEncSha256,
        directPath: stored.directPath,
        syncType: history.syncType ?? null,
        chunkOrder: history.chunkOrder ?? null,
        progress: history.progress ?? null,
      },
    },
  };
  return {
    message,
    conversations: history.conversations?.length ?? 0,
    directPath: stored.directPath,
  };
}
