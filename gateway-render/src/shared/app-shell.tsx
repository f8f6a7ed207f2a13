import { CatalogPage } from '../pages/catalog/catalog.page';
import { MoviePage } from '../pages/movie/movie.page';
import { MyListPage } from '../pages/my-list/my-list.page';
import { SignInPage } from '../pages/sign-in/sign-in.page';
import { SignUpPage } from '../pages/sign-up/sign-up.page';
import { Header } from './header';
import { NavigationProvider } from './navigation';
import type { Navigate } from './navigation';
import type { PageProps } from './page-props';

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
  }
}

/** The whole app: the same tree renders on the server and hydrates in the browser. */
export function AppShell({ page, navigate }: { page: PageProps; navigate: Navigate | null }) {
  return (
    <NavigationProvider value={navigate}>
      <Header />
      {/* A key per page and variables: a new page starts with fresh form state. */}
      <PageBody key={`${page.name}:${JSON.stringify(page.variables)}`} page={page} />
    </NavigationProvider>
  );
}
