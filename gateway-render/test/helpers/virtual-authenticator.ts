import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CDPSession, Page } from 'playwright-core';

// Chromium's virtual WebAuthn authenticator (the DevTools protocol's WebAuthn domain) for the
// browser tests: a passkey "device" inside the browser, so @simplewebauthn/browser's
// startRegistration()/startAuthentication() run for real against the page's origin, with no
// dialog. WebAuthn needs a secure context whose host can be a relying party id: `localhost`
// qualifies over plain http, an IP address never does (hence localhostServer below).

/** What `WebAuthn.addVirtualAuthenticator` takes; the defaults make a platform passkey. */
export interface VirtualAuthenticatorOptions {
  /** `internal` (a platform authenticator: Touch ID, Windows Hello) or `usb` (a security key). */
  transport?: 'internal' | 'usb' | 'nfc' | 'ble' | 'hybrid';
  /** Holds discoverable credentials (passkeys). Default true. */
  hasResidentKey?: boolean;
  /** Can verify the user (PIN, biometrics). Default true. */
  hasUserVerification?: boolean;
  /** The user passes verification. Default true; false makes assertions carry UV=0. */
  isUserVerified?: boolean;
  /** New credentials are backup eligible / backed up (a synced passkey). Default true / true. */
  backupEligible?: boolean;
  backedUp?: boolean;
}

/** A credential the virtual authenticator holds (`WebAuthn.getCredentials`). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  userHandle?: string;
  signCount: number;
}

/** A virtual authenticator attached to one page (it follows that page's navigations). */
export interface VirtualAuthenticator {
  readonly authenticatorId: string;
  readonly session: CDPSession;
  /** The credentials it holds (what was registered on it). */
  credentials(): Promise<VirtualCredential[]>;
  /** Whether the next ceremonies pass user verification. */
  setUserVerified(verified: boolean): Promise<void>;
  /** Detaches it (its credentials go with it). */
  remove(): Promise<void>;
}

/**
 * Adds a virtual authenticator to `page` (user presence is simulated, so ceremonies complete
 * without a prompt). Credentials live as long as the authenticator; add it before the page
 * starts a ceremony.
 */
export async function addVirtualAuthenticator(
  page: Page,
  options: VirtualAuthenticatorOptions = {},
): Promise<VirtualAuthenticator> {
  const session = await page.context().newCDPSession(page);
  await session.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: options.transport ?? 'internal',
      hasResidentKey: options.hasResidentKey ?? true,
      hasUserVerification: options.hasUserVerification ?? true,
      isUserVerified: options.isUserVerified ?? true,
      automaticPresenceSimulation: true,
      defaultBackupEligibility: options.backupEligible ?? true,
      defaultBackupState: options.backedUp ?? true,
    },
  });
  return {
    authenticatorId,
    session,
    credentials: async () =>
      (await session.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    setUserVerified: async (verified) => {
      await session.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: verified });
    },
    remove: async () => {
      await session.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      await session.detach();
    },
  };
}

/** A server listening before its app exists: see {@link localhostServer}. */
export interface ListeningServer {
  /** `http://<host>:<port>`. */
  origin: string;
  /** The app that answers from now on (until then every request gets 503). */
  serve(app: RequestListener): void;
  close(): Promise<void>;
}

/**
 * A server on a free port of 127.0.0.1 whose origin is `http://localhost:<port>` (or, with
 * `host` 127.0.0.1, `http://127.0.0.1:<port>`: no WebAuthn there), listening BEFORE the app
 * exists, so the app and the API (PUBLIC_ORIGIN: the WebAuthn relying party and expected
 * origin, and the mailed links) can be told the origin the browser will open. No port is given
 * up and taken again, so nothing else can grab it in between. Until `serve` is called it
 * answers 503.
 */
export async function localhostServer(
  host: 'localhost' | '127.0.0.1' = 'localhost',
): Promise<ListeningServer> {
  let handler: RequestListener | null = null;
  const server = createServer((req, res) => {
    if (handler) return void handler(req, res);
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(0, '127.0.0.1');
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    serve: (app) => {
      handler = app;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
