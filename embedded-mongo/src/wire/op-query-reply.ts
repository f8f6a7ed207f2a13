import { toErrorReply } from '../errors';
import type { Frame } from './frames';
import { encodeOpReply, parseOpQuery } from './op-query';

/** Answers a legacy OP_QUERY frame with OP_REPLY, turning parse errors into error documents. */
export function encodeOpQueryReplyFor(
  frame: Frame,
  requestId: number,
  answer: (command: Record<string, unknown>) => Record<string, unknown>,
): Buffer {
  let reply: Record<string, unknown>;
  try {
    const { query } = parseOpQuery(frame);
    reply = answer(query);
  } catch (error) {
    reply = toErrorReply(error);
  }
  return encodeOpReply(requestId, frame.header.requestId, reply);
}
