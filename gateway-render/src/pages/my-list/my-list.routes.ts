import { Router } from 'express';
import { MyListDocument } from '../../__generated__/graphql';
import { rememberPosterMovie } from '../../assets/poster-movie-cache';
import { requestSession } from '../../auth/request-session';
import { apiClientFor, runQuery } from '../../shared/api-call';
import { ApiFailureError } from '../../shared/api-errors';
import { PAGE_SIZE } from '../../shared/page-props';
import { renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';

export function myListRoutes({ config }: RouteDeps): Router {
  const router = Router();
  router.get('/my-list', async (req, res) => {
    // Anonymous visitors go to sign in and come back here (the error handler redirects).
    if (!requestSession(res).accessToken) {
      throw new ApiFailureError({ kind: 'unauthenticated', message: 'Please sign in' });
    }
    const after =
      typeof req.query.after === 'string' && req.query.after.length <= 200 ? req.query.after : null;
    const variables = { first: PAGE_SIZE, after };
    const client = apiClientFor(config, res);
    const data = await runQuery(client, MyListDocument, variables);
    for (const { node } of data.userMovies.edges) rememberPosterMovie(node.movie);
    const count = data.userMovies.totalCount;
    await renderPage(req, res, {
      page: { name: 'my-list', variables },
      title: `My list: ${count} ${count === 1 ? 'movie' : 'movies'}`,
      data,
    });
  });
  return router;
}
