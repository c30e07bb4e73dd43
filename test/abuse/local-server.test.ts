/**
 * The local HTTP API (npm start) bounds what a client can hold (issue #13 finding 15): slow headers
 * and slow bodies are timed out with 408, and a chunked upload is cut off with 413 as soon as it
 * passes the limit, not read to its end. Raw sockets, so nothing is sent that the test does not say.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startLocalApi, type LocalApi } from '../../infra/local-api.ts';

let api: LocalApi;
const invoked: APIGatewayProxyEventV2[] = [];

beforeAll(async () => {
  api = await startLocalApi({
    port: 0,
    handler: async (event) => {
      invoked.push(event);
      return { statusCode: 202, body: '{}' };
    },
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
    maxPayloadBytes: 1_000,
  });
});
afterAll(async () => {
  await api?.stop();
});

/** Opens a socket, writes `parts`, and resolves with everything read until the server closes it. */
function exchange(parts: readonly string[]): Promise<{ text: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(api.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => resolve({ text, socket }));
    socket.on('error', reject);
    socket.on('connect', () => {
      for (const part of parts) socket.write(part);
    });
  });
}

describe('the local API bounds slow and oversized clients', () => {
  it('headers that never finish → 408 and the connection is closed', async () => {
    const before = invoked.length;
    const { text } = await exchange(['POST /webhooks/generic HTTP/1.1\r\nHost: localhost\r\n']);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(invoked.length).toBe(before);
  });

  it('a body that stops arriving → 408 and the connection is closed', async () => {
    const before = invoked.length;
    const { text } = await exchange(['POST /webhooks/generic HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ticket_id":']);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(invoked.length).toBe(before);
  });

  it('a chunked upload past the limit gets 413 at once, while the client is still sending', async () => {
    const before = invoked.length;
    const chunk = 'x'.repeat(400);
    const head = 'POST /webhooks/generic HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    // Five chunks of 400 bytes and no terminating chunk: the upload never ends.
    const { text } = await exchange([head, ...Array.from({ length: 5 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`)]);
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text).toContain('Request Entity Too Large');
    expect(invoked.length).toBe(before);
  });

  it('a declared Content-Length over the limit gets 413 without reading the body', async () => {
    const { text } = await exchange(['POST /webhooks/generic HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n{']);
    expect(text).toMatch(/^HTTP\/1\.1 413/);
  });

  it('a prompt request is still served, and the scheme it reports is the server’s, not the client’s', async () => {
    const body = '{"ticket_id":"G-1"}';
    const { text } = await exchange([
      `POST /webhooks/generic HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Forwarded-Proto: https://evil.example/?\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 202/);
    expect(invoked.at(-1)?.headers['x-forwarded-proto']).toBe('http');
  });
});
