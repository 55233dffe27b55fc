// Stopping an open chat's reply before its conversation is deleted, so no write lands after the delete.

import type { Message } from '../core/types';
import type { ChatSession } from './chat-session.svelte';

/** How long a delete waits for a stopped reply's last write (the engines stop within a token). */
const SETTLE_MS = 2000;

/** Stop the reply being written (if any) and wait until the session has written its end. */
export async function stopAndSettle(session: ChatSession): Promise<void> {
  session.stop();
  for (const end = Date.now() + SETTLE_MS; session.busy && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Messages as Undo should put them back: a reply that never settled is interrupted, not "writing…" forever. */
export function settledMessages(messages: readonly Message[]): Message[] {
  return messages.map((m) => (m.status === 'streaming' ? { ...m, status: 'interrupted' } : m));
}
