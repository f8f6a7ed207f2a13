import { AccountPage } from '../pages/account/account.page';
import { CatalogPage } from '../pages/catalog/catalog.page';
import { DevMailPage } from '../pages/dev-mail/dev-mail.page';
import { EmailLinkPage } from '../pages/email-link/email-link.page';
import { ForgotPasswordPage } from '../pages/forgot-password/forgot-password.page';
import { MoviePage } from '../pages/movie/movie.page';
import { MyListPage } from '../pages/my-list/my-list.page';
import { ResetPasswordPage } from '../pages/reset-password/reset-password.page';
import { SignInPage } from '../pages/sign-in/sign-in.page';
import { SignUpPage } from '../pages/sign-up/sign-up.page';
import { Header } from './header';
import { NavigationProvider } from './navigation';
import type { Navigate } from './navigation';
import { Notice } from './notice';
import type { PageProps } from './page-props';
import { VerificationBanner } from './verification-banner';

function PageBody({ page }: { page: PageProps }) {
  switch (page.name) {
    case 'catalog':
      return <CatalogPage variables={page.variables} />;
    case 'movie':
      return <MoviePage variables={page.variables} />;
    case 'my-list':
      return <MyListPage variables={page.variables} />;
    case 'sign-in':
      return <SignInPage form={page.form} google={page.google} />;
    case 'sign-up':
      return <SignUpPage form={page.form} />;
    case 'forgot-password':
      return <ForgotPasswordPage form={page.form} />;
    case 'reset-password':
      return <ResetPasswordPage form={page.form} />;
    case 'verify-email':
    case 'confirm-email':
      return <EmailLinkPage kind={page.name} link={page.link} />;
    case 'account':
      return <AccountPage form={page.form} google={page.google} />;
    case 'dev-mail':
      return <DevMailPage messages={page.messages} />;
  }
}

/** The whole app: the same tree renders on the server and hydrates in the browser. */
export function AppShell({ page, navigate }: { page: PageProps; navigate: Navigate | null }) {
  return (
    <NavigationProvider value={navigate}>
      <Header />
      <div className="page-messages">
        {/* Keyed by the page: a "link sent" outcome belongs to the page it was asked on. */}
        <VerificationBanner key={page.here} returnTo={page.here ?? '/'} />
        <Notice text={page.notice} />
      </div>
      {/* A key per page and variables: a new page starts with fresh form state. */}
      <PageBody key={`${page.name}:${JSON.stringify(page.variables)}`} page={page} />
    </NavigationProvider>
  );
}
