// A local OAuth 2.0 / OpenID Connect provider (oauth2-mock-server) standing in for Google.
// It is ESM-only, which jest's CommonJS runtime cannot load, so tests fork this file and
// talk to it over IPC: { type: 'user', userinfo } sets the next /userinfo answer.
import process from 'node:process';
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');

let userinfo = { sub: 'johndoe' };
server.service.on('beforeUserinfo', (response) => {
  response.body = userinfo;
});

process.on('message', (message) => {
  if (message.type === 'user') {
    userinfo = message.userinfo;
    process.send({ type: 'ack' });
  } else if (message.type === 'stop') {
    server.stop().then(() => process.exit(0));
  }
});

process.send({ type: 'ready', issuer: server.issuer.url });
