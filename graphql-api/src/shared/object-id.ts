import { Types } from 'mongoose';
import { badUserInput } from './errors';

/** Parses an `ID` argument into an ObjectId, or BAD_USER_INPUT naming the argument. */
export function parseObjectId(value: string, argument: string): Types.ObjectId {
  if (!/^[0-9a-f]{24}$/i.test(value)) {
    throw badUserInput([
      {
        argument,
        field: '',
        constraints: { isMongoId: `${argument} must be an id returned by this API` },
      },
    ]);
  }
  return new Types.ObjectId(value);
}
