import { LinkProblem } from '../../shared/link-problem';
import { useViewer } from '../../shared/page-data';
import type { EmailLinkState } from '../../shared/page-props';

/** Which mailed link: confirming the account's address, or the new one it is moving to. */
export type EmailLinkKind = 'verify-email' | 'confirm-email';

const TEXT = {
  'verify-email': {
    title: 'Confirm your e-mail address',
    intro: 'Press the button to confirm that this e-mail address is yours.',
    button: 'Confirm my e-mail address',
    done: 'Your e-mail address is confirmed',
    doneText: (email: string) => `${email} is confirmed. Thank you!`,
  },
  'confirm-email': {
    title: 'Confirm your new e-mail address',
    intro: 'Press the button to move your account to this new e-mail address.',
    button: 'Use the new address',
    done: 'Your e-mail address was changed',
    doneText: (email: string) => `Your account now uses ${email}; sign in with it from now on.`,
  },
} satisfies Record<EmailLinkKind, unknown>;

/**
 * `/verify-email?token=…` and `/confirm-email?token=…`: a button that posts the link's token
 * (showing the page spends nothing), then what happened, or why the link cannot be used.
 */
export function EmailLinkPage({ kind, link }: { kind: EmailLinkKind; link: EmailLinkState }) {
  const me = useViewer();
  const text = TEXT[kind];
  const signedIn = Boolean(me);
  if (link.linkProblem) {
    return (
      <LinkProblem
        title="This link cannot be used"
        message={link.linkProblem}
        askAgain={
          signedIn
            ? { href: '/account', label: 'Ask for a new link on your account page' }
            : { href: '/sign-in?returnTo=%2Faccount', label: 'Sign in to ask for a new link' }
        }
      />
    );
  }
  if (link.done) {
    return (
      <div className="auth-page">
        <h1>{text.done}</h1>
        <p data-testid="link-done">{text.doneText(link.done.email)}</p>
        <p>{signedIn ? <a href="/account">Your account</a> : <a href="/sign-in">Sign in</a>}</p>
      </div>
    );
  }
  return (
    <div className="auth-page">
      <h1>{text.title}</h1>
      <p>{text.intro}</p>
      <form method="post" action={`/${kind}`} className="auth-form">
        <input type="hidden" name="token" value={link.token} />
        <button type="submit">{text.button}</button>
      </form>
    </div>
  );
}
