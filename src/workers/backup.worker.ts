// Backup worker: unzips, parses and checks a backup off the main thread, so a big or hostile file
// never freezes the page. Thin: the work is in core/backup.

import { serveBackupReads } from '../core/backup-read-protocol';
import type { RpcPort } from '../core/rpc';

serveBackupReads(self as unknown as RpcPort);
