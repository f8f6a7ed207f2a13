import { AccountPage } from '../pages/account/account.page';
import { RecoveryCodesPage, TwoFactorSetupPage } from '../pages/account/two-factor.page';
import { CatalogPage } from '../pages/catalog/catalog.page';
import { DevMailPage } from '../pages/dev-mail/dev-mail.page';
import { EmailLinkPage } from '../pages/email-link/email-link.page';
import { ForgotPasswordPage } from '../pages/forgot-password/forgot-password.page';
import { MoviePage } from '../pages/movie/movie.page';
import { MyListPage } from '../pages/my-list/my-list.page';
import { ReauthenticatePage } from '../pages/reauthenticate/reauthenticate.page';
import { ResetPasswordPage } from '../pages/reset-password/reset-password.page';
import { SecondFactorPage } from '../pages/second-factor/second-factor.page';
import { SignInPage } from '../pages/sign-in/sign-in.page';
import { PasskeyOffer } from '../pages/sign-up/passkey-offer';
import { SignUpPage } from '../pages/sign-up/sign-up.page';
import { Header } from './header';
import { NavigationProvider } from './navigation';
import type { Navigate } from './navigation';
import { Notice } from './notice';
import { PageDataProvider } from './page-data';
import type { ListChange } from './page-data';
import type { PageProps } from './page-props';
import { VerificationBanner } from './verification-banner';

function PageBody({ page }: { page: PageProps }) {
  switch (page.name) {
    case 'catalog':
      return <CatalogPage variables={page.variables} />;
    case 'movie':
      return <MoviePage variables={page.variables} back={page.back ?? null} />;
    case 'my-list':
      return <MyListPage variables={page.variables} />;
    case 'sign-in':
      return <SignInPage form={page.form} google={page.google} />;
    case 'sign-up':
      return <SignUpPage form={page.form} google={page.google} />;
    case 'second-factor':
      return <SecondFactorPage form={page.form} />;
    case 'forgot-password':
      return <ForgotPasswordPage form={page.form} />;
    case 'reset-password':
      return <ResetPasswordPage form={page.form} />;
    case 'verify-email':
    case 'confirm-email':
      return <EmailLinkPage kind={page.name} link={page.link} />;
    case 'account':
      return (
        <AccountPage
          form={page.form}
          google={page.google}
          offerSignOutElsewhere={page.offerSignOutElsewhere ?? false}
        />
      );
    case 'reauthenticate':
      return <ReauthenticatePage form={page.form} />;
    case 'two-factor-setup':
      return <TwoFactorSetupPage setup={page.setup} />;
    case 'recovery-codes':
      return <RecoveryCodesPage recovery={page.recovery} />;
    case 'dev-mail':
      return <DevMailPage messages={page.messages} />;
  }
}

/** A message for the live region. */
export interface Announcement {
  text: string;
  /** Also shown on screen for a moment (list changes); else for screen readers only. */
  toast: boolean;
}

/** Props of {@link AppShell}: the page, its data and, in the browser, what the script adds. */
export interface AppShellProps {
  page: PageProps;
  /** The page query's result. */
  data: unknown;
  /** In-place navigation; null on the server (links and forms are plain). */
  navigate: Navigate | null;
  /** Records a list change made in place; null on the server. */
  onListChange?: ((change: ListChange) => void) | null;
  /**
   * What the polite live region says now: a list change, shown as a toast too, or the new
   * page's title after an in-place navigation, for screen readers only.
   */
  announcement?: Announcement | null;
  /** An in-place navigation is under way. */
  loading?: boolean;
}

/** The whole app: the same tree renders on the server and hydrates in the browser. */
export function AppShell({
  page,
  data,
  navigate,
  onListChange = null,
  announcement = null,
  loading = false,
}: AppShellProps) {
  return (
    <NavigationProvider value={navigate}>
      <PageDataProvider value={{ data, onListChange }}>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <div className={loading ? 'loading-bar active' : 'loading-bar'} aria-hidden="true" />
        <Header />
        <div className="page-messages">
          {/* Keyed by the page: a "link sent" outcome belongs to the page it was asked on. */}
          <VerificationBanner key={page.here} returnTo={page.here ?? '/'} />
          <Notice text={page.notice} />
          {page.offerPasskey ? <PasskeyOffer /> : null}
        </div>
        {/* tabIndex -1: the skip link and in-place navigation can move focus here. */}
        <main id="main" tabIndex={-1} aria-busy={loading ? 'true' : undefined}>
          {/* A key per page and variables: a new page starts with fresh form state. */}
          <PageBody key={`${page.name}:${JSON.stringify(page.variables)}`} page={page} />
        </main>
        {/* Always in the page, so screen readers pick up what is written into it later. */}
        <p
          className={announcement?.toast ? 'announcer toast' : 'announcer visually-hidden'}
          role="status"
          aria-live="polite"
          data-testid="announcer"
        >
          {announcement?.text ?? ''}
        </p>
      </PageDataProvider>
    </NavigationProvider>
  );
}
