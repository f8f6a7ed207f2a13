import type { Types } from 'mongoose';
import type { OutboxEntry } from './mail.types';

/**
 * The outbox entry of a security notice: a factor of the account changed (a passkey, two-factor,
 * recovery codes), told to its address so a change the owner did not make is noticed.
 * `change` is one of the product's own sentences, never user input beyond a passkey's name.
 */
export function securityNotice(
  user: { _id: Types.ObjectId; email: string },
  change: string,
): OutboxEntry {
  return { template: 'security-notice', to: user.email, userId: user._id, data: { change } };
}
