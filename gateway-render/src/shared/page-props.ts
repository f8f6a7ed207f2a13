import type {
  CatalogQueryVariables,
  MoviePageQueryVariables,
  MyListQueryVariables,
} from '../__generated__/graphql';
import type { FieldErrors } from './api-errors';

/** Element ids of the JSON blocks (Apollo cache, page props) the browser script reads. */
export const STATE_ELEMENT_ID = '__APOLLO_STATE__';
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
}

/**
 * What the server tells the browser about the page it rendered: the page, its query
 * variables and form state. Sent as JSON in the page (and for in-place navigation), it is
 * exactly the props of the app, so the browser hydrates the same tree.
 */
export type PageProps =
  | { name: 'catalog'; variables: CatalogQueryVariables }
  | { name: 'movie'; variables: MoviePageQueryVariables }
  | { name: 'my-list'; variables: MyListQueryVariables }
  | { name: 'sign-in'; variables: Record<string, never>; form: SignInFormState; google: boolean }
  | { name: 'sign-up'; variables: Record<string, never>; form: SignUpFormState };

/** The JSON answer to an in-place navigation (`Accept: application/json` on a page URL). */
export interface PageData {
  page: PageProps;
  title: string;
  /** The page query's result, written into the browser's Apollo cache. */
  data: unknown;
}
