/**
 * The Intercom and HubSpot listers refuse, before any request, what they cannot work with: no API
 * credentials, or a stored cursor this bridge did not write. The error names the setting and what to do.
 */
import { describe, expect, it } from 'vitest';
import { PermanentEventError } from '../../lib/errors.ts';
import type { HttpClient } from '../../lib/http.ts';
import { hubspotLister } from '../../lib/providers/hubspot/list.ts';
import { intercomLister } from '../../lib/providers/intercom/list.ts';

const requests: string[] = [];
const http: HttpClient = {
  async request(r) {
    requests.push(`${r.method} ${r.url}`);
    throw new Error('no request was expected');
  },
};

async function refusal(run: () => Promise<unknown>): Promise<PermanentEventError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PermanentEventError);
  return error as PermanentEventError;
}

describe('listers refuse unusable settings before calling the helpdesk', () => {
  it('Intercom without an access token names HELPDESK_CONFIG.intercom.accessToken', async () => {
    const error = await refusal(() => intercomLister.listPage(http, { baseUrl: 'https://api.intercom.io', adminId: '814860' }, { sinceMs: 0 }));
    expect(error.reason).toBe('invalid_setting_accessToken');
    expect(error.message).toMatch(/HELPDESK_CONFIG\.intercom\.accessToken is missing/);
  });

  it('Intercom with a stored cursor it did not write says to start afresh with --since', async () => {
    const error = await refusal(() => intercomLister.listPage(http, { accessToken: 'tok' }, { sinceMs: 0, cursor: '{"object":"contacts"}' }));
    expect(error.reason).toBe('invalid_reconcile_cursor');
    expect(error.message).toMatch(/run the pass with --since/);
  });

  it('HubSpot without credentials names accessToken (or a public app’s OAuth settings)', async () => {
    const error = await refusal(() => hubspotLister.listPage(http, { baseUrl: 'https://api.hubapi.com' }, { sinceMs: 0 }));
    expect(error.reason).toBe('missing_access_token');
    expect(error.message).toMatch(/HELPDESK_CONFIG\.hubspot\.accessToken is not set/);
  });

  it('HubSpot with a stored cursor it did not write says to start afresh with --since', async () => {
    const error = await refusal(() => hubspotLister.listPage(http, { accessToken: 'pat-na1-x' }, { sinceMs: 0, cursor: 'not json' }));
    expect(error.reason).toBe('invalid_reconcile_cursor');
    expect(error.message).toMatch(/HubSpot cursor "not json" is not one this bridge wrote: run the pass with --since/);
  });

  it('made no request', () => {
    expect(requests).toEqual([]);
  });
});
