/**
 * HubSpot v3 signs the URL it called; the bridge rebuilds that URL from trusted parts only (issue
 * #13 finding 7): a crafted X-Forwarded-Proto made it `https://collector.example/hook?u=://<host>/…`,
 * so a signature HubSpot computed for someone else's endpoint was accepted here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKit, HOST } from './redteam-kit.ts';

const body = readFileSync(new URL('../fixtures/hubspot/ticket-creation.json', import.meta.url), 'utf8');

describe('the URL HubSpot signed is rebuilt without trusting forwarding headers', () => {
  const kit = createKit();

  it('a signature for another URL, smuggled through X-Forwarded-Proto, is refused (401)', async () => {
    const collector = 'https://collector.example/hook?u=';
    const r = await kit.post('hubspot', '/webhooks/hubspot', body, {
      signedUrl: `${collector}://${HOST}/webhooks/hubspot`,
      headers: { 'x-forwarded-proto': collector },
    });
    expect(r).toMatchObject({ status: 401, events: [] });
  });

  for (const proto of ['https://evil.example/?', 'ftp', 'https, http', ' HTTPS ']) {
    it(`X-Forwarded-Proto ${JSON.stringify(proto)} means https`, async () => {
      const r = await kit.post('hubspot', '/webhooks/hubspot', body, { headers: { 'x-forwarded-proto': proto } });
      expect(r.status).toBe(202);
    });
  }

  it('only an exact "http" (the local API) selects http', async () => {
    const r = await kit.post('hubspot', '/webhooks/hubspot', body, { signedUrl: `http://${HOST}/webhooks/hubspot`, headers: { 'x-forwarded-proto': 'http' } });
    expect(r.status).toBe(202);
  });
});
