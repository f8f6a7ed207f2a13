import { Router } from 'express';
import { MoviePageDocument } from '../../__generated__/graphql';
import { apiClientFor, runQuery } from '../../shared/api-call';
import { ApiFailureError } from '../../shared/api-errors';
import { renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';

const notFound = () => new ApiFailureError({ kind: 'not-found', message: 'No such movie' });

export function movieRoutes({ config }: RouteDeps): Router {
  const router = Router();
  router.get('/movies/:id', async (req, res) => {
    const id = req.params.id;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw notFound();
    const variables = { id };
    const client = apiClientFor(config, res);
    const data = await runQuery(client, MoviePageDocument, variables).catch((error: unknown) => {
      // A malformed id is a missing movie to the person who typed it.
      if (error instanceof ApiFailureError && error.failure.kind === 'bad-input') throw notFound();
      throw error;
    });
    if (!data.movie) throw notFound();
    await renderPage(req, res, {
      client,
      page: { name: 'movie', variables },
      title: data.movie.title,
      data,
    });
  });
  return router;
}
