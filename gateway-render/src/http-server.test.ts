import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { listen, PortInUseError } from './http-server';

async function holdPort(): Promise<{ holder: Server; port: number }> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, resolve));
  return { holder, port: (holder.address() as AddressInfo).port };
}

describe('listen', () => {
  it('resolves with the real port when asked for any', async () => {
    const { server, port } = await listen(express(), 0);
    expect(port).toBeGreaterThan(0);
    await new Promise((resolve) => server.close(resolve));
  });

  it('rejects with a PortInUseError naming the port and RENDER_PORT when the port is taken', async () => {
    const { holder, port } = await holdPort();
    try {
      await expect(listen(express(), port)).rejects.toThrow(PortInUseError);
      await expect(listen(express(), port)).rejects.toThrow(
        new RegExp(`port ${port} is already in use .*set RENDER_PORT`),
      );
    } finally {
      holder.close();
    }
  });

  it('makes the built server exit non-zero with that message (needs `npm run build`)', async () => {
    const entry = path.join(__dirname, '..', 'dist', 'src', 'index.js');
    const { holder, port } = await holdPort();
    // A ready API, so the server gets as far as listening.
    const api = express().get('/ready', (_req, res) => res.send('ok'));
    const apiServer = await listen(api, 0);
    try {
      // Not spawnSync: it would block the event loop that answers /ready.
      const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [entry], {
          env: {
            ...process.env,
            NODE_ENV: 'test',
            RENDER_PORT: String(port),
            API_URL: `http://127.0.0.1:${apiServer.port}/graphql`,
          },
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (status) => resolve({ status, stderr }));
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`gateway-render: port ${port} is already in use`);
    } finally {
      holder.close();
      apiServer.server.close();
    }
  });
});
