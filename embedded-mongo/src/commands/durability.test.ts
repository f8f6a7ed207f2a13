import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../logger';
import type { Doc } from '../query/documents';
import { JOURNAL_FILE, Journal, replayJournal } from '../storage/journal';
import { Store } from '../storage/store';
import type { CommandContext } from './context';
import { runCommand } from './index';
import { commandContext } from '../../test/helpers';

/**
 * Embedded server internals: a write's reply is produced only after its journal record is
 * fdatasync'ed. The fdatasync is held back until `release()`, so an early reply would show.
 */
describe('acknowledged writes are durable before the reply', () => {
  let dir: string;
  let journal: Journal;
  let context: CommandContext;
  let release: () => void = () => undefined;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-durable-'));
    const store = new Store();
    journal = await Journal.create(dir, {
      snapshot: () => store.snapshot(),
      compactionBytes: 64 * 1024 * 1024,
      logger: silentLogger,
    });
    store.attachJournal(journal);
    context = commandContext(store);
    const probe = await fs.promises.open(path.join(dir, JOURNAL_FILE), 'r');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = proto.datasync;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    jest.spyOn(proto, 'datasync').mockImplementation(async function (this: unknown) {
      await gate;
      return datasync.call(this);
    });
  });

  afterEach(async () => {
    release();
    jest.restoreAllMocks();
    await journal.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers an insert only once its record is synced to the journal', async () => {
    let reply: Doc | undefined;
    const pending = runCommand(
      { insert: 'events', documents: [{ _id: 1 }], $db: 'app' },
      context,
    ).then((answer) => {
      reply = answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reply).toBeUndefined();
    release();
    await pending;
    expect(reply).toMatchObject({ n: 1, ok: 1 });
    const records: string[] = [];
    replayJournal(path.join(dir, JOURNAL_FILE), (record) => records.push(record.op), silentLogger);
    expect(records).toEqual(['create', 'put']);
  });

  it('answers a read at once, without waiting for other connections’ syncs', async () => {
    const write = runCommand({ insert: 'events', documents: [{ _id: 2 }], $db: 'app' }, context);
    const read = await runCommand({ find: 'events', filter: {}, $db: 'app' }, context);
    expect(read).toMatchObject({ ok: 1 });
    release();
    await write;
  });
});
