/**
 * A Salesforce closure has one identity whichever path brings it: the outbound message's
 * ClosedDate (xsd:dateTime, with or without milliseconds) and the REST API's (`…+0000`, what
 * lib/providers/salesforce/list.ts reads) name the same instant, so both become
 * ISO 8601 UTC with milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { salesforceProvider } from '../../lib/providers/salesforce/index.ts';
import { fixture, outbound } from '../providers/salesforce/support.ts';

describe('Salesforce ticket.resolved identity', () => {
  it.each(['2024-06-02T16:30:00.000Z', '2024-06-02T16:30:00Z', '2024-06-02T16:30:00.000+0000'])('ClosedDate %s → …:2024-06-02T16:30:00.000Z', (closedDate) => {
    const body = fixture('case-closed').replace('2024-06-02T16:30:00.000Z', closedDate);
    const result = salesforceProvider.parse(outbound(body, 'ticket.resolved'), {});
    expect(result.kind === 'events' ? result.events.map((e) => e.identity) : result).toEqual(['ticket.resolved:5005e00000QxYz1AAF:2024-06-02T16:30:00.000Z']);
  });
});
