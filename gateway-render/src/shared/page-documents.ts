import type { DocumentNode } from 'graphql';
import {
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
    case 'sign-in':
    case 'sign-up':
      return ViewerDocument;
  }
}
