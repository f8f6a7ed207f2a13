import type { Request, Response } from 'express';
import type { FieldErrors } from '../../shared/api-errors';
import type { RecoveryCodesState, TwoFactorSetupState } from '../../shared/page-props';
import { renderViewerPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';

/** A TOTP secret as the API makes it (RFC 4648 base32), at most what any app takes. */
const BASE32_SECRET = /^[A-Z2-7]{16,128}={0,6}$/;

/** `expiresAt` as the API writes it (ISO 8601). */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/;

/**
 * The API's QR code as an image URI, or null when it is not an SVG document. The SVG goes into
 * an <img>, never into the page's markup: an image cannot run script or add elements, so even
 * a QR string that carried markup could not change the page (the API is trusted, but this
 * keeps it so if a bug ever let a user's text into the SVG).
 */
export function qrCodeDataUri(svg: string): string | null {
  if (!/^\s*<svg[\s>]/.test(svg) || svg.length > 200_000) return null;
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** The secret (and its deadline) posted back by the confirm form, when well-formed. */
export function setupFromFields(fields: Record<string, unknown>): {
  secret: string;
  expiresAt: string;
} | null {
  const secret = typeof fields.secret === 'string' ? fields.secret.replace(/\s+/g, '') : '';
  const expiresAt = typeof fields.expiresAt === 'string' ? fields.expiresAt : '';
  if (!BASE32_SECRET.test(secret) || !ISO_TIME.test(expiresAt)) return null;
  return { secret, expiresAt };
}

/** The set-up page's state from the API's enrolment (or a retry's fields). */
export function setupState(
  enrollment: { secret: string; expiresAt: string; qrCodeSvg?: string },
  messages: { error?: string; fields?: FieldErrors } = {},
): TwoFactorSetupState {
  return {
    secret: enrollment.secret,
    qrCode: enrollment.qrCodeSvg === undefined ? null : qrCodeDataUri(enrollment.qrCodeSvg),
    expiresAt: enrollment.expiresAt,
    fields: messages.fields ?? {},
    ...(messages.error ? { error: messages.error } : {}),
  };
}

/** "Turn on two-factor": scan or type the secret, then confirm with the app's first code. */
export function renderTwoFactorSetup(
  deps: RouteDeps,
  req: Request,
  res: Response,
  setup: TwoFactorSetupState,
  status?: number,
): Promise<void> {
  return renderViewerPage(deps.config, req, res, {
    page: { name: 'two-factor-setup', variables: {}, setup, here: '/account' },
    title: 'Turn on two-factor authentication',
    status,
  });
}

/**
 * The recovery codes, shown this once: the answer to the post that made them, never a page
 * of its own to come back to (`no-store`, like every page), and not kept anywhere here.
 */
export function renderRecoveryCodes(
  deps: RouteDeps,
  req: Request,
  res: Response,
  recovery: RecoveryCodesState,
): Promise<void> {
  return renderViewerPage(deps.config, req, res, {
    page: { name: 'recovery-codes', variables: {}, recovery, here: '/account' },
    title: 'Your recovery codes',
  });
}
