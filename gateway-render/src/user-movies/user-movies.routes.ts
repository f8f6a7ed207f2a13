import type { Request, Response } from 'express';
import { Router } from 'express';
import { AddUserMovieDocument, RemoveUserMovieDocument } from '../__generated__/graphql';
import { requestSession } from '../auth/request-session';
import { apiClientFor, runMutation } from '../shared/api-call';
import { ApiFailureError } from '../shared/api-errors';
import { isJsonClient } from '../shared/render-page';
import { safeReturnTo } from '../shared/return-to';
import type { RouteDeps } from '../shared/route-deps';

const MOVIE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function requireSignedIn(res: Response): void {
  if (!requestSession(res).accessToken) {
    throw new ApiFailureError({ kind: 'unauthenticated', message: 'Please sign in' });
  }
}

function movieIdOr404(value: unknown): string {
  if (typeof value === 'string' && MOVIE_ID.test(value)) return value;
  throw new ApiFailureError({ kind: 'not-found', message: 'No such movie' });
}

/** A malformed id from the API is, to the person, a movie that does not exist. */
function missingOnBadInput(error: unknown): never {
  if (error instanceof ApiFailureError && error.failure.kind === 'bad-input') {
    throw new ApiFailureError({ kind: 'not-found', message: 'No such movie' });
  }
  throw error;
}

function returnPath(req: Request): string {
  return safeReturnTo((req.body as Record<string, unknown> | undefined)?.returnTo, '/my-list');
}

/** Adding to and removing from the signed-in person's list, for forms and for scripts. */
export function userMovieRoutes({ config }: RouteDeps): Router {
  const router = Router();

  router.post('/user-movies', async (req, res) => {
    const movieId = movieIdOr404((req.body as Record<string, unknown> | undefined)?.movieId);
    requireSignedIn(res);
    const data = await runMutation(apiClientFor(config, res), AddUserMovieDocument, {
      movieId,
    }).catch(missingOnBadInput);
    if (isJsonClient(req)) return void res.json({ userMovie: data.addUserMovie });
    return res.redirect(303, returnPath(req));
  });

  const remove = async (req: Request, res: Response) => {
    const movieId = movieIdOr404(req.params.movieId);
    requireSignedIn(res);
    const data = await runMutation(apiClientFor(config, res), RemoveUserMovieDocument, {
      movieId,
    }).catch(missingOnBadInput);
    if (isJsonClient(req) || req.method === 'DELETE') {
      return void res.json({ removed: data.removeUserMovie });
    }
    return res.redirect(303, returnPath(req));
  };
  // Forms can only POST; scripts may use DELETE.
  router.post('/user-movies/:movieId/delete', remove);
  router.delete('/user-movies/:movieId', remove);

  return router;
}
