import { Router } from 'express';
import { CatalogDocument } from '../../__generated__/graphql';
import { apiClientFor, runQuery } from '../../shared/api-call';
import { renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';
import { catalogVariables, parseCatalogQuery } from './catalog-url';

export function catalogRoutes({ config }: RouteDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const variables = catalogVariables(parseCatalogQuery(req.query));
    const client = apiClientFor(config, res);
    const data = await runQuery(client, CatalogDocument, variables);
    await renderPage(req, res, {
      client,
      page: { name: 'catalog', variables },
      title: 'Catalog',
      data,
    });
  });
  return router;
}
