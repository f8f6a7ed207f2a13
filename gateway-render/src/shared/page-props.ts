import type {
  CatalogQueryVariables,
  MoviePageQueryVariables,
  MyListQueryVariables,
} from '../__generated__/graphql';
import type { FieldErrors } from './api-errors';

/** Element id of the JSON block (page props, title and data) the browser script hydrates from. */
export const PAGE_ELEMENT_ID = '__PAGE__';

/** Movies per catalog page and list page. */
export const PAGE_SIZE = 12;

/** Values a sign-in form is shown with again (never the password). */
export interface SignInFormState {
  email: string;
  rememberMe: boolean;
  returnTo: string;
  /** One message for the whole form (wrong credentials, rate limit). */
  error?: string;
}

/** Values a sign-up form is shown with again (never the password). */
export interface SignUpFormState {
  name: string;
  email: string;
  returnTo: string;
  error?: string;
  fields: FieldErrors;
  /** The e-mail already has an account: the form offers to sign in instead. */
  registered?: boolean;
}

/** How the second-factor page asks: the authenticator app's code, or a recovery code. */
export type SecondFactorFormMethod = 'totp' | 'recovery';

/**
 * `/sign-in/second-factor`: the code form after a password (or Google, or passkey) sign-in,
 * shown again with the API's message. The challenge itself stays in its httpOnly cookie.
 */
export interface SecondFactorFormState {
  method: SecondFactorFormMethod;
  /** What the account accepts (the API's SecondFactorMethod values). */
  methods: ('TOTP' | 'RECOVERY_CODE')[];
  /** One message for the whole form (a rate limit). */
  error?: string;
  fields: FieldErrors;
}

/** `/forgot-password`: the e-mail form, or (`sent`) the page saying a link may be on its way. */
export interface ForgotPasswordFormState {
  email: string;
  sent: boolean;
  error?: string;
  fields: FieldErrors;
}

/**
 * `/reset-password`: the new-password form with the link's token in a hidden field, or (with
 * `linkProblem`) why the link cannot be used.
 */
export interface ResetPasswordFormState {
  token: string;
  fields: FieldErrors;
  linkProblem?: string;
}

/** `/verify-email` and `/confirm-email`: the confirm button, its outcome, or the link's problem. */
export interface EmailLinkState {
  token: string;
  linkProblem?: string;
  /** Set once the link was used: the address now confirmed (or moved to). */
  done?: { email: string };
}

/** Which form of the account page a message belongs to. */
export type AccountFormName =
  'password' | 'email' | 'google' | 'sessions' | 'passkeys' | 'two-factor';

/**
 * A change that needs a sign-in event of the last 5 minutes (the API's
 * REAUTHENTICATION_REQUIRED), with its non-secret fields: the re-authentication form carries
 * it in hidden inputs and makes the change once the person confirmed it is them.
 */
export type StepUpIntent =
  | { action: 'add-passkey' }
  | { action: 'remove-passkey'; passkeyId: string }
  | { action: 'start-two-factor' }
  | { action: 'disable-two-factor' }
  | { action: 'new-recovery-codes' }
  | { action: 'two-factor-for-providers'; required: boolean }
  | { action: 'connect-google' }
  | { action: 'disconnect-google' }
  | { action: 'revoke-other-sessions' };

/** `/account/reauthenticate`: "Confirm it is you" for one {@link StepUpIntent}. */
export interface ReauthenticateFormState {
  intent: StepUpIntent;
  /** What the API accepts for this account: `PASSWORD`, `PASSKEY`, `TOTP`, `RECOVERY_CODE`. */
  methods: string[];
  error?: string;
  fields: FieldErrors;
}

/** Turning two-factor on: the QR code, the key to type instead and the confirming code's form. */
export interface TwoFactorSetupState {
  /** Base32, grouped for reading. */
  secret: string;
  /**
   * The API's QR code SVG as a `data:image/svg+xml;base64,` URI for an <img>: whatever the
   * markup holds stays an image (no script, no markup joins the page). Null when the API sent
   * no SVG, or (a wrong code shown again) when only the key is known.
   */
  qrCode: string | null;
  /** ISO 8601: until when the code can confirm it. */
  expiresAt: string;
  error?: string;
  fields: FieldErrors;
}

/** The 10 recovery codes, shown once (after turning two-factor on, or asking for new ones). */
export interface RecoveryCodesState {
  codes: string[];
  /** `enabled`: two-factor just turned on; `regenerated`: they replace the old ones. */
  reason: 'enabled' | 'regenerated';
}

/** Values the account page is shown with again after a refused form (never a password). */
export interface AccountFormState {
  /** The form the error and field messages belong to, or null. */
  form: AccountFormName | null;
  error?: string;
  fields: FieldErrors;
  newEmail: string;
}

/** One mail of the development inbox, as `/dev/mail` shows it (never its HTML part). */
export interface DevMailMessage {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** ISO 8601. */
  receivedAt: string;
}

/** The page-specific part of {@link PageProps}. */
export type PageVariant =
  | { name: 'catalog'; variables: CatalogQueryVariables }
  | {
      name: 'movie';
      variables: MoviePageQueryVariables;
      /** The catalog URL (with its filters) the visitor came from, for "Back to results". */
      back?: string | null;
    }
  | { name: 'my-list'; variables: MyListQueryVariables }
  | { name: 'sign-in'; variables: Record<string, never>; form: SignInFormState; google: boolean }
  | { name: 'sign-up'; variables: Record<string, never>; form: SignUpFormState; google: boolean }
  | { name: 'second-factor'; variables: Record<string, never>; form: SecondFactorFormState }
  | { name: 'forgot-password'; variables: Record<string, never>; form: ForgotPasswordFormState }
  | { name: 'reset-password'; variables: Record<string, never>; form: ResetPasswordFormState }
  | {
      name: 'verify-email' | 'confirm-email';
      variables: Record<string, never>;
      link: EmailLinkState;
    }
  | {
      name: 'account';
      variables: Record<string, never>;
      form: AccountFormState;
      /** Google sign-in is configured: the "Connect Google" button can work. */
      google: boolean;
      /** A factor just changed (see notices.ts): offer "Sign out everywhere else". */
      offerSignOutElsewhere?: boolean;
    }
  | { name: 'reauthenticate'; variables: Record<string, never>; form: ReauthenticateFormState }
  | { name: 'two-factor-setup'; variables: Record<string, never>; setup: TwoFactorSetupState }
  | { name: 'recovery-codes'; variables: Record<string, never>; recovery: RecoveryCodesState }
  | { name: 'dev-mail'; variables: Record<string, never>; messages: DevMailMessage[] };

/** What every page carries besides its own props (filled in by `renderPage`). */
export interface PageCommon {
  /** The message of a `?notice=` after a redirect, or one the route wrote; never URL text. */
  notice?: string | null;
  /** Where the page's own forms (the confirm-your-address banner) come back to. */
  here?: string;
  /** Right after sign-up (`?notice=welcome`): offer to add a passkey (see PasskeyOffer). */
  offerPasskey?: boolean;
}

/**
 * What the server tells the browser about the page it rendered: the page, its query
 * variables and form state. Sent as JSON in the page (and for in-place navigation), it is
 * exactly the props of the app, so the browser hydrates the same tree.
 */
export type PageProps = PageVariant & PageCommon;

/** The JSON answer to an in-place navigation (`Accept: application/json` on a page URL). */
export interface PageData {
  page: PageProps;
  title: string;
  /** The page query's result: what the page renders from. */
  data: unknown;
}
