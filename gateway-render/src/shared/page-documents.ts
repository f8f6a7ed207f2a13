import type { DocumentNode } from 'graphql';
import {
  AccountPageDocument,
  CatalogDocument,
  MoviePageDocument,
  MyListDocument,
  ViewerDocument,
} from '../__generated__/graphql';
import type { PageProps } from './page-props';

/** The query whose result a page renders from (written into the browser cache on navigation). */
export function pageDocument(page: PageProps): DocumentNode {
  switch (page.name) {
    case 'catalog':
      return CatalogDocument;
    case 'movie':
      return MoviePageDocument;
    case 'my-list':
      return MyListDocument;
    case 'account':
      return AccountPageDocument;
    case 'sign-in':
    case 'sign-up':
    case 'forgot-password':
    case 'reset-password':
    case 'verify-email':
    case 'confirm-email':
    case 'dev-mail':
      return ViewerDocument;
  }
}
