import express from 'express';
import request from 'supertest';
import { loadConfig } from '../config';
import { sameOriginMiddleware } from './same-origin.middleware';

const config = loadConfig({ NODE_ENV: 'test', PUBLIC_ORIGIN: 'https://movies.example' });
const app = express();
app.use(sameOriginMiddleware(config));
app.all('/change', (_req, res) => {
  res.json({ changed: true });
});

describe('sameOriginMiddleware', () => {
  it('lets the site itself and non-browser clients through', async () => {
    await request(app).post('/change').set('Origin', 'https://movies.example').expect(200);
    await request(app).post('/change').set('Sec-Fetch-Site', 'same-origin').expect(200);
    await request(app)
      .post('/change')
      .set('Origin', 'null')
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(200);
    // No Origin and no Sec-Fetch-Site: curl or a script, which carry no ambient cookies.
    await request(app).post('/change').expect(200);
  });

  it('accepts the request’s own host origin', async () => {
    await request(app)
      .post('/change')
      .set('Host', 'localhost:8000')
      .set('Origin', 'http://localhost:8000')
      .expect(200);
  });

  it('refuses other origins, cross-site fetch metadata and a bare null origin', async () => {
    await request(app).post('/change').set('Origin', 'https://evil.example').expect(403);
    await request(app)
      .delete('/change')
      .set('Origin', 'https://movies.example.evil.example')
      .expect(403);
    await request(app).post('/change').set('Sec-Fetch-Site', 'cross-site').expect(403);
    await request(app).post('/change').set('Sec-Fetch-Site', 'same-site').expect(403);
    await request(app).post('/change').set('Origin', 'null').expect(403);
    const json = await request(app)
      .post('/change')
      .set('Origin', 'https://evil.example')
      .set('Accept', 'application/json')
      .expect(403);
    expect(json.body).toEqual({
      error: { code: 'FORBIDDEN', message: 'Cross-site request refused' },
    });
  });

  it('never checks safe methods', async () => {
    await request(app).get('/change').set('Origin', 'https://evil.example').expect(200);
  });
});
