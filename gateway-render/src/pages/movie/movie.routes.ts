import { Router } from 'express';
import {
  MoviePageDocument,
  MoviePagePublicDocument,
  ViewerDocument,
} from '../../__generated__/graphql';
import type { MoviePageQuery } from '../../__generated__/graphql';
import { requestSession } from '../../auth/request-session';
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
    // A malformed id is a missing movie to the person who typed it.
    const missingOnBadInput = (error: unknown): never => {
      if (error instanceof ApiFailureError && error.failure.kind === 'bad-input') throw notFound();
      throw error;
    };
    let data: MoviePageQuery;
    if (requestSession(res).accessToken) {
      data = await runQuery(client, MoviePageDocument, variables).catch(missingOnBadInput);
    } else {
      // Nobody is signed in: without `me` the API marks the answer public, so it can be shared
      // between anonymous visitors for its max-age (see the catalog route).
      const movie = await runQuery(client, MoviePagePublicDocument, variables).catch(
        missingOnBadInput,
      );
      client.writeQuery({ query: ViewerDocument, data: { me: null } });
      data = { ...movie, me: null };
    }
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
