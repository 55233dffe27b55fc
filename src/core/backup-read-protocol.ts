// The call between the restore flow and the backup worker (over core/rpc.ts): the file's bytes go
// in (transferred, not copied), the checked Backup comes back, or the BackupError with its reason
// (through the one error serializer, so 'part-too-large' stays 'part-too-large' on the page).

import { readBackup, type Backup } from './backup';
import { HearthError, toAppError } from './errors';
import { serveRpc, type RpcMethod, type RpcPort } from './rpc';

export interface BackupReadRequest {
  bytes: Uint8Array;
}

export interface BackupReadProtocol {
  /** Unzip, parse and check a whole backup (readBackup). */
  read: RpcMethod<BackupReadRequest, never, Backup>;
}

/** The backup worker's side: reads each file it is sent. */
export function serveBackupReads(port: RpcPort): void {
  serveRpc<BackupReadProtocol>(port, { read: ({ bytes }) => readBackup(bytes) }, { toError: (error) => (error instanceof HearthError ? error : toAppError(error)) });
}
