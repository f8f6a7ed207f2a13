import type { StepUpIntent } from '../../shared/page-props';

/** The API's ids (ObjectIds); anything else is nobody's passkey. */
export const PASSKEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Every action a re-authentication can lead to, for checking a posted `action`. */
const ACTIONS: ReadonlySet<StepUpIntent['action']> = new Set([
  'add-passkey',
  'remove-passkey',
  'start-two-factor',
  'disable-two-factor',
  'new-recovery-codes',
  'two-factor-for-providers',
  'connect-google',
  'disconnect-google',
  'revoke-other-sessions',
]);

function isAction(value: unknown): value is StepUpIntent['action'] {
  return typeof value === 'string' && ACTIONS.has(value as StepUpIntent['action']);
}

/**
 * The intent a re-authentication form (or its GET link) carries, from its fields; null when
 * the action is unknown or a field is malformed. Only fixed actions and an id are accepted: a
 * link can never make the form do anything else.
 */
export function intentFromFields(fields: Record<string, unknown>): StepUpIntent | null {
  const action = fields.action;
  if (!isAction(action)) return null;
  switch (action) {
    case 'remove-passkey': {
      const passkeyId = fields.passkeyId;
      if (typeof passkeyId !== 'string' || !PASSKEY_ID.test(passkeyId)) return null;
      return { action, passkeyId };
    }
    case 'two-factor-for-providers':
      return { action, required: fields.required === 'true' || fields.required === true };
    default:
      return { action };
  }
}

/** The intent as the hidden inputs (and query parameters) {@link intentFromFields} reads. */
export function intentFields(intent: StepUpIntent): Record<string, string> {
  switch (intent.action) {
    case 'remove-passkey':
      return { action: intent.action, passkeyId: intent.passkeyId };
    case 'two-factor-for-providers':
      return { action: intent.action, required: intent.required ? 'true' : 'false' };
    default:
      return { action: intent.action };
  }
}

/** `/account/reauthenticate?action=…`: where a script sends the person to confirm it is them. */
export function reauthenticateUrl(intent: StepUpIntent): string {
  return `/account/reauthenticate?${new URLSearchParams(intentFields(intent)).toString()}`;
}

/** What the person is about to do, for "Confirm it is you to …". */
export function describeIntent(intent: StepUpIntent): string {
  switch (intent.action) {
    case 'add-passkey':
      return 'add a passkey';
    case 'remove-passkey':
      return 'remove a passkey';
    case 'start-two-factor':
      return 'turn on two-factor authentication';
    case 'disable-two-factor':
      return 'turn off two-factor authentication';
    case 'new-recovery-codes':
      return 'get new recovery codes';
    case 'two-factor-for-providers':
      return intent.required
        ? 'ask for a code after signing in with Google'
        : 'stop asking for a code after signing in with Google';
    case 'connect-google':
      return 'connect your Google account';
    case 'disconnect-google':
      return 'disconnect your Google account';
    case 'revoke-other-sessions':
      return 'sign out everywhere else';
  }
}

/** The account page's section (element id) the intent belongs to: where "Cancel" goes back to. */
export function sectionOf(intent: StepUpIntent): string {
  switch (intent.action) {
    case 'add-passkey':
    case 'remove-passkey':
      return 'passkeys';
    case 'start-two-factor':
    case 'disable-two-factor':
    case 'new-recovery-codes':
    case 'two-factor-for-providers':
      return 'two-factor';
    case 'connect-google':
    case 'disconnect-google':
      return 'connected';
    case 'revoke-other-sessions':
      return 'sessions';
  }
}
