import { Router } from 'express';
import {
  CatalogDocument,
  CatalogPublicDocument,
  ViewerDocument,
} from '../../__generated__/graphql';
import type { CatalogQuery } from '../../__generated__/graphql';
import { requestSession } from '../../auth/request-session';
import { apiClientFor, runQuery } from '../../shared/api-call';
import { renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';
import { catalogVariables, parseCatalogQuery } from './catalog-url';

export function catalogRoutes({ config }: RouteDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const variables = catalogVariables(parseCatalogQuery(req.query));
    const client = apiClientFor(config, res);
    let data: CatalogQuery;
    if (requestSession(res).accessToken) {
      data = await runQuery(client, CatalogDocument, variables);
    } else {
      // Nobody is signed in, so there is no `me` to ask for: without it the API marks the
      // answer public and it can be shared between anonymous visitors for its max-age.
      const catalog = await runQuery(client, CatalogPublicDocument, variables);
      client.writeQuery({ query: ViewerDocument, data: { me: null } });
      data = { ...catalog, me: null };
    }
    await renderPage(req, res, {
      client,
      page: { name: 'catalog', variables },
      title: 'Catalog',
      data,
    });
  });
  return router;
}
