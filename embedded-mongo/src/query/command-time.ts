import { Aggregator, Context } from 'mingo';

/**
 * `$$NOW` as mongod defines it: one value for the whole command (mongod reads the clock once
 * per operation), so every document an aggregate, an update or a `let` sees gets the same
 * date. mingo reads `Date.now()` lazily on each evaluation context, and copies that context
 * per document, so a pipeline over a few thousand documents saw many different values.
 *
 * mingo offers no option for the timestamp: the `now` getter of its evaluation options class
 * (typed in `mingo/core`, not exported) is wrapped once to answer the command's time while a
 * command runs (see withCommandTime) and mingo's own behaviour otherwise. mingo's
 * `$currentDate` reads the same getter, so it too gets the command's time, which mongod
 * reads per document: the values differ at most by the command's duration.
 */

/** The running command's time in milliseconds since the epoch, if a command is running. */
let commandTime: number | undefined;

interface NowHolder {
  readonly now: Date;
}

/** mingo passes its evaluation options to custom operators: the way to reach their class. */
function evaluationOptionsPrototype(): object | undefined {
  let prototype: object | undefined;
  const probe = (_obj: unknown, _expr: unknown, options: unknown): null => {
    prototype = Object.getPrototypeOf(options) as object;
    return null;
  };
  const context = Context.init({ expression: { $embeddedProbe: probe } });
  new Aggregator([{ $project: { probe: { $embeddedProbe: 1 } } }], { context }).run([{}]);
  return prototype;
}

function installCommandClock(): boolean {
  const prototype = evaluationOptionsPrototype();
  const descriptor = prototype && Object.getOwnPropertyDescriptor(prototype, 'now');
  const original = descriptor?.get;
  if (!prototype || !original) return false;
  Object.defineProperty(prototype, 'now', {
    ...descriptor,
    get(this: NowHolder): Date {
      return commandTime === undefined ? (original.call(this) as Date) : new Date(commandTime);
    },
  });
  return true;
}

/** Whether `$$NOW` is pinned per command (false only if a mingo upgrade moved the getter). */
export const COMMAND_CLOCK_INSTALLED = installCommandClock();

/**
 * Runs one command with its `$$NOW` fixed to the current time. `run` must do its evaluation
 * synchronously (command handlers do): the time is released when it returns. A nested call
 * keeps the outer command's time.
 */
export function withCommandTime<T>(run: () => T): T {
  if (commandTime !== undefined) return run();
  commandTime = Date.now();
  try {
    return run();
  } finally {
    commandTime = undefined;
  }
}
