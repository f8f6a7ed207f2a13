import { Long, ObjectId } from 'bson';
import { MAX_BSON_OBJECT_SIZE, MAX_WRITE_BATCH_SIZE } from '../wire/frames';
import type { Doc } from '../query/documents';
import type { CommandContext, CommandHandler } from './context';

/** The MongoDB version the server presents; wire version 21 is MongoDB 7.0. */
export const SERVER_VERSION = '7.0.0';
export const MAX_WIRE_VERSION = 21;
const PROCESS_ID = new ObjectId();

/** The `hello`/`isMaster` reply of a standalone, writable primary. */
export function helloReply(context: CommandContext, legacy: boolean): Doc {
  return {
    helloOk: true,
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: context.maxMessageSizeBytes,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    // Without this the driver reports "Current topology does not support sessions".
    logicalSessionTimeoutMinutes: 30,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

const hello: CommandHandler = (_command, context) => helloReply(context, false);
const isMaster: CommandHandler = (_command, context) => helloReply(context, true);

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'embedded-mongo',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ['embedded'],
  javascriptEngine: 'none',
  modules: [],
  ok: 1,
});

const KNOWN_PARAMETERS: Doc = {
  featureCompatibilityVersion: { version: '7.0' },
  authenticationMechanisms: [],
  maxBSONDepth: 100,
};

const getParameter: CommandHandler = (command) => {
  const reply: Doc = {};
  const all = command.getParameter === '*';
  for (const [name, value] of Object.entries(KNOWN_PARAMETERS)) {
    if (all || name in command) reply[name] = value;
  }
  return { ...reply, ok: 1 };
};

const serverStatus: CommandHandler = (_command, context) => ({
  host: `${context.host}:${context.port}`,
  version: SERVER_VERSION,
  process: 'embedded-mongo',
  pid: Long.fromNumber(process.pid),
  uptime: Math.floor((Date.now() - context.startedAt.getTime()) / 1000),
  localTime: new Date(),
  processId: PROCESS_ID,
  ok: 1,
});

const ok: CommandHandler = () => ({ ok: 1 });

export const handshakeCommands: Record<string, CommandHandler> = {
  hello,
  isMaster,
  ismaster: isMaster,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  serverStatus,
  endSessions: ok,
  killAllSessions: ok,
  killSessions: ok,
  refreshSessions: ok,
  whatsmyuri: (_command, context) => ({ you: `${context.host}:0`, ok: 1 }),
  connectionStatus: () => ({
    authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
    ok: 1,
  }),
  getCmdLineOpts: () => ({ argv: ['embedded-mongo'], parsed: {}, ok: 1 }),
  hostInfo: () => ({ system: { currentTime: new Date() }, os: {}, extra: {}, ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
};
