import { Router } from 'express';
import type { Request } from 'express';
import { MoviePageDocument, MoviePagePublicDocument } from '../../__generated__/graphql';
import type { MoviePageQuery } from '../../__generated__/graphql';
import { rememberPosterMovie } from '../../assets/poster-movie-cache';
import { requestSession } from '../../auth/request-session';
import { runRequestQuery } from '../../shared/api-call';
import { ApiFailureError } from '../../shared/api-errors';
import { renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';

/**
 * The catalog page (with its filters and page) the visitor came from, for "Back to results":
 * the same-origin Referer of a click on a card (a full load or the page script's fetch, which
 * sends the document's URL), when it is the catalog. Only the path and query are kept, and
 * only when they are the catalog's; else null (the link goes to the catalog's first page).
 */
export function catalogReferrer(req: Request, publicOrigin: string): string | null {
  const referer = req.get('referer');
  if (!referer || referer.length > 2000) return null;
  try {
    const url = new URL(referer);
    if (url.origin !== publicOrigin || url.pathname !== '/') return null;
    return url.search ? `/${url.search}` : '/';
  } catch {
    return null;
  }
}

const notFound = () => new ApiFailureError({ kind: 'not-found', message: 'No such movie' });

export function movieRoutes({ config }: RouteDeps): Router {
  const router = Router();
  router.get('/movies/:id', async (req, res) => {
    const id = req.params.id;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw notFound();
    const variables = { id };
    // A malformed id is a missing movie to the person who typed it.
    const missingOnBadInput = (error: unknown): never => {
      if (error instanceof ApiFailureError && error.failure.kind === 'bad-input') throw notFound();
      throw error;
    };
    let data: MoviePageQuery;
    if (requestSession(res).accessToken) {
      data = await runRequestQuery(config, res, MoviePageDocument, variables).catch(
        missingOnBadInput,
      );
    } else {
      // Nobody is signed in: without `me` the API marks the answer public, so it can be shared
      // between anonymous visitors for its max-age (see the catalog route).
      const movie = await runRequestQuery(config, res, MoviePagePublicDocument, variables).catch(
        missingOnBadInput,
      );
      data = { ...movie, me: null };
    }
    if (!data.movie) throw notFound();
    rememberPosterMovie(data.movie);
    await renderPage(req, res, {
      page: { name: 'movie', variables, back: catalogReferrer(req, config.publicOrigin) },
      title: data.movie.title,
      data,
    });
  });
  return router;
}
