// A local OpenID Connect provider (oauth2-mock-server) standing in for Google: it signs ID
// tokens with its own RS256 key and publishes the JWKS the API verifies them with. It is
// ESM-only, which jest's CommonJS runtime cannot load, so tests fork this file and talk to it
// over IPC (see src/oauth2-test-provider.ts).
import process from 'node:process';
import { OAuth2Server } from 'oauth2-mock-server';

const clientId = process.argv[2] ?? 'test-client-id';
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');

/** The person who approves the next authorization (the ID token and /userinfo say who). */
let user = { sub: 'johndoe' };

// The token endpoint signs an access token (it has a scope) and an ID token (it has none).
server.service.on('beforeTokenSigning', (token) => {
  if ('scope' in token.payload) return;
  Object.assign(token.payload, user);
});
server.service.on('beforeUserinfo', (response) => {
  response.body = user;
});

process.on('message', (message) => {
  if (message.type === 'user') {
    user = message.claims;
    process.send({ type: 'ack', id: message.id });
  } else if (message.type === 'token') {
    const { claims, expiresIn, audience, issuer } = message;
    server.issuer
      .buildToken({
        expiresIn: expiresIn ?? 3600,
        scopesOrTransform: (_header, payload) => {
          Object.assign(payload, { aud: audience ?? clientId, ...claims });
          if (issuer) payload.iss = issuer;
          if (expiresIn !== undefined && expiresIn < 0) payload.nbf = payload.iat + expiresIn - 10;
        },
      })
      .then(
        (token) => process.send({ type: 'ack', id: message.id, token }),
        (error) => process.send({ type: 'ack', id: message.id, error: String(error) }),
      );
  } else if (message.type === 'stop') {
    server.stop().then(() => process.exit(0));
  }
});

process.send({ type: 'ready', issuer: server.issuer.url });
