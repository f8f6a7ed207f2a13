import { formatDateTime } from '../../shared/date-time';

/** A moment in UTC, like the devices list: the same text on the server and in the browser. */
export function When({ at }: { at: string }) {
  return <time dateTime={at}>{formatDateTime(at)}</time>;
}

/** When a factor was last used, or `never` (null: not since it was added). */
export function LastUsed({
  at,
  never = 'never',
}: {
  at: string | null | undefined;
  never?: string;
}) {
  return at ? <When at={at} /> : <>{never}</>;
}
