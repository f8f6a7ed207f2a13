import { Router } from 'express';
import { CatalogDocument, CatalogPublicDocument } from '../../__generated__/graphql';
import type { CatalogQuery } from '../../__generated__/graphql';
import { rememberPosterMovie } from '../../assets/poster-movie-cache';
import { requestSession } from '../../auth/request-session';
import { runRequestQuery } from '../../shared/api-call';
import { renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';
import { catalogTitle, catalogVariables, parseCatalogQuery } from './catalog-url';

export function catalogRoutes({ config }: RouteDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const state = parseCatalogQuery(req.query);
    const variables = catalogVariables(state);
    let data: CatalogQuery;
    if (requestSession(res).accessToken) {
      data = await runRequestQuery(config, res, CatalogDocument, variables);
    } else {
      // Nobody is signed in, so there is no `me` to ask for: without it the API marks the
      // answer public and it can be shared between anonymous visitors for its max-age.
      const catalog = await runRequestQuery(config, res, CatalogPublicDocument, variables);
      data = { ...catalog, me: null };
    }
    for (const { node } of data.movies.edges) rememberPosterMovie(node);
    await renderPage(req, res, {
      page: { name: 'catalog', variables },
      title: catalogTitle(state, data.movies.totalCount),
      data,
    });
  });
  return router;
}
