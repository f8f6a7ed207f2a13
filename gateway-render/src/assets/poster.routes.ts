import { Router } from 'express';
import type { Response } from 'express';
import { MoviePosterDocument } from '../__generated__/graphql';
import { runRequestQuery } from '../shared/api-call';
import { ApiFailureError } from '../shared/api-errors';
import type { RouteDeps } from '../shared/route-deps';
import { entrySvg, posterMovies } from './poster-movie-cache';
import type { PosterEntry, PosterMovieCache } from './poster-movie-cache';
import { POSTER_PATH_PREFIX } from './poster-path';

/**
 * `<id>-<12 hex>.svg`, checked before anything else: ids are what the movie page accepts
 * (Mongo's are 24 hex), the hash is `posterVersion`'s. Bounded, so no input is slow to refuse.
 */
const POSTER_FILE = /^([A-Za-z0-9_-]{1,64})-([0-9a-f]{12})\.svg$/;

/** The hash names exactly these bytes: any cache may keep them for a year, unrevalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** An old hash gets today's poster, briefly: the page that linked it is out of date. */
const STALE = 'public, max-age=60';
/** Shapes and text only, no inline style: the poster, opened on its own, may load nothing. */
const POSTER_CSP = "default-src 'none'";

/** Options of {@link posterRoutes}. */
export interface PosterRoutesOptions {
  /** Where posters' inputs are remembered; default the process's ({@link rememberPosterMovie}). */
  movies?: PosterMovieCache;
}

function sendPoster(res: Response, entry: PosterEntry, cacheControl: string): void {
  res
    .status(200)
    .set({
      'Content-Type': 'image/svg+xml; charset=utf-8',
      'Cache-Control': cacheControl,
      'Content-Security-Policy': POSTER_CSP,
      'X-Content-Type-Options': 'nosniff',
    })
    .send(entrySvg(entry));
}

/** A bare 404: a poster URL that names nothing says nothing more (no page, no reason). */
function sendNotFound(res: Response): void {
  res
    .status(404)
    .set({
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': POSTER_CSP,
      'X-Content-Type-Options': 'nosniff',
    })
    .send('Not found');
}

/**
 * `GET /assets/posters/<id>-<hash>.svg`: the movie's generated poster (see `posterSvg`).
 * Any render process answers any poster, whichever one rendered the page: the movie's title,
 * year and tags come from this process's cache when it has the requested version, else from
 * the API (`MoviePoster`, anonymous, so the API's public answer is shared for a minute).
 * The current hash is cached for a year; an old one (the movie changed) gets the current
 * poster for a minute; a malformed name or a missing movie is a bare 404; an API failure goes
 * to the error handler like any page's (503 when it is down).
 *
 * Mount it before the session middleware: a poster needs no person, so a browser's expired
 * token must not make 30 poster requests refresh it.
 */
export function posterRoutes(
  { config }: Pick<RouteDeps, 'config'>,
  options: PosterRoutesOptions = {},
): Router {
  const movies = options.movies ?? posterMovies;
  const router = Router();
  router.get(`${POSTER_PATH_PREFIX}:file`, async (req, res) => {
    const match = POSTER_FILE.exec(req.params.file);
    if (!match) return sendNotFound(res);
    const [, id = '', version] = match;
    const known = movies.get(id);
    if (known?.version === version) return sendPoster(res, known, IMMUTABLE);

    // Mounted ahead of the API deadline middleware, the call still gets its deadline.
    res.locals.apiDeadline ??= AbortSignal.timeout(config.apiTimeoutMs);
    let movie;
    try {
      ({ movie } = await runRequestQuery(
        config,
        res,
        MoviePosterDocument,
        { id },
        { anonymous: true },
      ));
    } catch (error) {
      // The API refuses an id that is not an ObjectId: to a visitor, that is a missing poster.
      if (
        error instanceof ApiFailureError &&
        (error.failure.kind === 'bad-input' || error.failure.kind === 'not-found')
      ) {
        return sendNotFound(res);
      }
      throw error;
    }
    if (!movie) return sendNotFound(res);
    const current = movies.remember(movie);
    sendPoster(res, current, current.version === version ? IMMUTABLE : STALE);
  });
  return router;
}
