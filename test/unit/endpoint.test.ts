import { describe, expect, it } from 'vitest';
import { errorToHttpResponse, requestUrl, routeMiss, routePath, toIngestInput } from '../../lib/endpoint.ts';
import { AuthenticityError, BadRequestError, ConfigError, ForbiddenError, NotFoundError, PayloadTooLargeError, QueueUnavailableError, UnprocessableEventError } from '../../lib/errors.ts';
import { endpointEvent } from '../support/bridge-harness.ts';

describe('toIngestInput', () => {
  it('reads provider and event from /webhooks/{provider}/{event}, and maps the guide’s routes to generic', () => {
    const e = (path: string) => toIngestInput(endpointEvent(path, '', Buffer.from('{}'), {}), undefined);
    expect(e('/webhooks/zendesk')).toMatchObject({ provider: 'zendesk', routeEvent: undefined });
    expect(e('/webhooks/salesforce/ticket-created')).toMatchObject({ provider: 'salesforce', routeEvent: 'ticket-created' });
    expect(e('/webhook/ticket-resolved')).toMatchObject({ provider: 'generic', routeEvent: 'ticket-resolved' });
  });

  it('takes the source address from requestContext.http.sourceIp, never from X-Forwarded-For', () => {
    const event = endpointEvent('/webhooks/zendesk', '', Buffer.from('{}'), { 'x-forwarded-for': '192.0.2.1' });
    event.requestContext.http.sourceIp = '203.0.113.9';
    expect(toIngestInput(event, undefined).sourceIp).toBe('203.0.113.9');
  });

  it('decodes a base64 body to the exact bytes', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b, 0x22]);
    expect(toIngestInput(endpointEvent('/webhooks/generic', '', bytes, {}), undefined).request.rawBody.equals(bytes)).toBe(true);
  });

  it('lower-cases header names and keeps the first of repeated query parameters', () => {
    const event = endpointEvent('/webhooks/salesforce', 'token=a&token=b', Buffer.from(''), {});
    event.headers = { 'X-Webhook-Token': 't' };
    const input = toIngestInput(event, undefined);
    expect(input.request.headers).toEqual({ 'x-webhook-token': 't' });
    expect(input.request.query).toEqual({ token: 'a' });
  });
});

describe('routes: one matcher for routeMiss and toIngestInput, stage-aware', () => {
  const staged = (path: string, stage: string) => {
    const event = endpointEvent(path, '', Buffer.from('{}'), {});
    event.requestContext.stage = stage;
    return event;
  };

  it('answers 404 off the routes and 405 for another method on one', () => {
    expect(routeMiss('/webhooks/zendesk', 'POST')).toBeUndefined();
    expect(routeMiss('/webhooks/salesforce/ticket-created/', 'POST')).toBeUndefined();
    expect(routeMiss('/webhook/ticket-created', 'POST')).toBeUndefined();
    for (const path of ['/', '/favicon.ico', '/webhooks', '/webhooks/zendesk/a/b', '/webhook/ticket-updated', '/x/webhooks/zendesk', '/webhooks//']) {
      expect(routeMiss(path, 'POST')?.statusCode, path).toBe(404);
    }
    const wrongMethod = routeMiss('/webhooks/zendesk', 'GET');
    expect(wrongMethod).toMatchObject({ statusCode: 405, headers: { allow: 'POST' } });
  });

  it('takes a named stage off the path, and only a named one', () => {
    expect(routePath(staged('/prod/webhooks/hubspot', 'prod'))).toBe('/webhooks/hubspot');
    expect(routePath(staged('/prod/webhooks/hubspot', '$default'))).toBe('/prod/webhooks/hubspot');
    expect(routePath(staged('/webhooks/hubspot', 'prod'))).toBe('/webhooks/hubspot');
    // A staged API in front of the function: the route is found, as requestUrl already assumed.
    expect(routeMiss(routePath(staged('/prod/webhooks/hubspot', 'prod')), 'POST')).toBeUndefined();
    expect(toIngestInput(staged('/prod/webhooks/salesforce/ticket-created', 'prod'), undefined)).toMatchObject({ provider: 'salesforce', routeEvent: 'ticket-created' });
    expect(toIngestInput(staged('/prod/webhook/ticket-created', 'prod'), undefined)).toMatchObject({ provider: 'generic', routeEvent: 'ticket-created' });
  });
});

describe('requestUrl (the URL HubSpot v3 signs)', () => {
  it('is the API domain, path and query by default', () => {
    const event = endpointEvent('/webhooks/hubspot', 'a=1', Buffer.from(''), {});
    expect(requestUrl(event, undefined)).toBe('https://bridge.example.com/webhooks/hubspot?a=1');
  });

  it('uses PUBLIC_BASE_URL for a custom domain, dropping a named stage from the path', () => {
    const event = endpointEvent('/prod/webhooks/hubspot', '', Buffer.from(''), {});
    event.requestContext.stage = 'prod';
    expect(requestUrl(event, 'https://hooks.example.org/support/')).toBe('https://hooks.example.org/support/webhooks/hubspot');
  });
});

describe('errorToHttpResponse', () => {
  it.each([
    [new AuthenticityError('no_matching_signature', 'secret detail'), 401],
    [new ForbiddenError('ip_not_allowed', 'x'), 403],
    [new ConfigError('invalid_allowed_ips', 'x'), 503],
    [new NotFoundError('unknown_provider', 'x'), 404],
    [new PayloadTooLargeError('body_too_large', 'x'), 413],
    [new UnprocessableEventError('missing_ticket_id', 'x'), 422],
    [new BadRequestError('invalid_json', 'x'), 400],
    [new QueueUnavailableError('queue_unavailable', 'x'), 503],
    [new Error('bug with internals'), 500],
  ])('maps %s to %i', (error, status) => {
    expect(errorToHttpResponse(error).statusCode).toBe(status);
  });

  it('never tells a caller which authenticity check failed, nor echoes internal errors', () => {
    expect(errorToHttpResponse(new AuthenticityError('timestamp_too_old', 'stale by 400 s')).body).toBe('{"error":"unauthorized"}');
    expect(errorToHttpResponse(new Error('ECONNREFUSED 10.0.0.1')).body).not.toContain('ECONNREFUSED');
    expect(errorToHttpResponse(new ForbiddenError('ip_not_allowed', 'source address 203.0.113.9 is not in …')).body).toBe('{"error":"forbidden"}');
  });

  it('sets Retry-After on 503', () => {
    expect(errorToHttpResponse(new QueueUnavailableError('queue_unavailable', 'x')).headers).toMatchObject({ 'retry-after': '30' });
  });
});

describe('toIngestInput: the body text', () => {
  it('passes a text body on as text, the same content as the raw bytes', () => {
    const event = { ...endpointEvent('/webhooks/generic', '', Buffer.from(''), {}), body: '{"a":"é"}', isBase64Encoded: false };
    const input = toIngestInput(event, undefined);
    expect(input.request.text).toBe('{"a":"é"}');
    expect(input.request.rawBody.toString('utf8')).toBe(input.request.text);
  });

  it('leaves text unset for base64 bodies and for strings that do not survive UTF-8 (lone surrogates)', () => {
    expect(toIngestInput(endpointEvent('/webhooks/generic', '', Buffer.from('{}'), {}), undefined).request.text).toBeUndefined();
    const lone = { ...endpointEvent('/webhooks/generic', '', Buffer.from(''), {}), body: '{"a":"\ud800"}', isBase64Encoded: false };
    expect(toIngestInput(lone, undefined).request.text).toBeUndefined();
  });
});
