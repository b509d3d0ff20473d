import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { startRedisServer } from './redis-server.ts';

/** Sends one inline command and resolves to the first reply line. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${line}\r\n`));
    socket.once('error', reject);
    socket.once('data', (chunk) => {
      socket.end();
      resolve(chunk.toString().trim());
    });
  });
}

it('starts a redis-server on 127.0.0.1 that answers, and stops it', async () => {
  const redis = await startRedisServer();
  try {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'PING')).toBe('+PONG');
  } finally {
    await redis.stop();
  }
  await expect(command(redis.port, 'PING')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  await redis.stop(); // a second stop is harmless
});
