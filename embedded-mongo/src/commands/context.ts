import type { Logger } from '../logger';
import type { Doc } from '../query/documents';
import type { Store } from '../storage/store';
import type { CursorManager } from './cursors';

/** What every command handler gets: the data, the cursors, and who is asking. */
export interface CommandContext {
  store: Store;
  cursors: CursorManager;
  /** The command's `$db`. */
  db: string;
  connectionId: number;
  logger: Logger;
  /** Server start time, reported by serverStatus. */
  startedAt: Date;
  host: string;
  port: number;
  /** The largest frame this server accepts, advertised in `hello` so drivers split batches. */
  maxMessageSizeBytes: number;
}

export type CommandHandler = (command: Doc, context: CommandContext) => Doc | Promise<Doc>;
