import { Passport } from 'passport';
import type { PassportStatic } from 'passport';
import type { RenderConfig } from '../config';
import { createBasicStrategy } from './basic.strategy';
import { createGoogleStrategy } from './google.strategy';

/**
 * One Passport instance per app (not the global singleton), sessions off: the API's tokens
 * in httpOnly cookies are the session. Google is registered only when configured.
 */
export function createPassport(config: RenderConfig): PassportStatic {
  const passport = new Passport() as PassportStatic;
  passport.use('basic', createBasicStrategy(config));
  if (config.google) passport.use('google', createGoogleStrategy(config, config.google));
  return passport;
}
