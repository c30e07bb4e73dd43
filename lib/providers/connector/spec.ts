/**
 * The connector specification (issue #12): a helpdesk described as data — authenticity, events,
 * fields and write-back — so any system that can POST a webhook is connected by configuration.
 * `HELPDESK_CONFIG[name].connector` holds one (or a preset supplies it); `connector.schema.json`
 * is this schema as JSON Schema, for editors and reviewers (generated: `npm run connector-schema`).
 * Templates are data: `{placeholder}` strings, never code.
 */
import * as z from '../../schema.ts';
import { lazy } from '../../lazy.ts';
import { AUTHOR_TYPES, CHANNELS, EVENT_TYPES } from '../types.ts';

/** A connector's own name: its route `/webhooks/<name>` and its key in both secrets. */
export const CONNECTOR_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const FIELD_NAMES = ['ticketId', 'subject', 'body', 'customerId', 'channel', 'agentId', 'status', 'message', 'messageRole'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/**
 * The specification's schemas, built on first use (lib/lazy.ts): most containers have no connector,
 * and building these schemas at load was a measurable share of every cold start (issue #10).
 */
function buildSchemas() {
  const text = z.string().check(z.minLength(1), z.maxLength(2048));
  const headerName = z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/));
  const paths = z.array(text).check(z.minLength(1), z.maxLength(32));

  const hmacSchema = z.strictObject({
    type: z.literal('hmac'),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']),
    header: headerName,
    prefix: z.optional(z.string().check(z.maxLength(64))),
    encoding: z.enum(['hex', 'base64']),
    /** What is signed, over {body} {timestamp} {url} {method} and {header.<name>}; default "{body}". */
    message: z.optional(text),
    timestamp: z.optional(
      z.strictObject({
        header: headerName,
        format: z.enum(['unix-seconds', 'unix-ms', 'iso8601']),
        toleranceSeconds: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(86_400))),
      }),
    ),
  });

  const tokenSchema = z.strictObject({
    type: z.literal('token'),
    /** header: the token is a header's whole value; query: a query parameter; basic: HTTP Basic password (or user). */
    in: z.enum(['header', 'query', 'basic']),
    /** The header or query parameter name (not for basic). */
    name: z.optional(headerName),
  });

  const standardWebhooksSchema = z.strictObject({ type: z.literal('standard-webhooks') });

  const authenticitySchema = z.discriminatedUnion('type', [hmacSchema, tokenSchema, standardWebhooksSchema]);

  const eventsSchema = z.strictObject({
    /** Where the event's name is: a payload path (`webhookEvent`) or `header:<name>`; absent = route events only. */
    source: z.optional(text),
    /** The sender's event names → ours; every other name is ignored (200). */
    map: z.optional(z.record(text, z.enum(EVENT_TYPES))),
    /**
     * Conditions on a sender's event name: it counts only when the payload's `path` has one of `in`
     * (or, without `in`, any value) — e.g. Help Scout's `convo.status` is a resolution when `status` is "closed".
     */
    when: z.optional(z.record(text, z.strictObject({ path: text, in: z.optional(z.array(text).check(z.minLength(1))) }))),
    /** Whether `/webhooks/<name>/{event}` routes name the event (default true). */
    routes: z.optional(z.boolean()),
    /**
     * A subscription challenge: an authentic request carrying this header is answered 200
     * `{"challenge": <its value>}` and not processed (Front validates a webhook so).
     */
    challengeHeader: z.optional(headerName),
    /** Paths (or `header:<name>`) of the event's own id, first present wins; else a hash of the body. */
    identity: z.optional(paths),
  });


  const fieldsSchema = z.strictObject({
    ticketId: paths,
    subject: z.optional(paths),
    body: z.optional(paths),
    customerId: z.optional(paths),
    channel: z.optional(paths),
    agentId: z.optional(paths),
    status: z.optional(paths),
    /** The new message of a `message.created` event. */
    message: z.optional(paths),
    /** Who wrote that message (through `roles`); a message not by a customer is ignored when set. */
    messageRole: z.optional(paths),
    /** The sender's channel names → ours (else the name itself when it is one of ours, else "web"). */
    channels: z.optional(z.record(text, z.enum(CHANNELS))),
    /** The thread, oldest first: an array path, and paths inside each item. */
    thread: z.optional(
      z.strictObject({
        path: text,
        content: paths,
        role: z.optional(paths),
        /** The sender lists the newest item first (the bridge turns it around). */
        newestFirst: z.optional(z.boolean()),
      }),
    ),
    /** The sender's author names (of `messageRole` and `thread.role`) → customer / agent / system. */
    roles: z.optional(z.record(text, z.enum(AUTHOR_TYPES))),
    /** Fields that hold HTML: tags are stripped (e.g. ["body", "message", "thread"]). */
    html: z.optional(z.array(z.enum([...FIELD_NAMES, 'thread']))),
  });

  const authSchema = z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none') }),
    /** `Authorization: Bearer <token>`; token is a template, usually "{settings.token}". */
    z.strictObject({ type: z.literal('bearer'), token: text }),
    /** `Authorization: Basic base64(username:password)`. */
    z.strictObject({ type: z.literal('basic'), username: text, password: z.string().check(z.maxLength(2048)) }),
    /** Any header, e.g. Zammad's `Authorization: Token token={settings.token}` or `X-API-Key`. */
    z.strictObject({ type: z.literal('header'), name: headerName, value: text }),
  ]);

  const jsonTemplate: z.Schema<unknown> = z.unknown();

  const requestSchema = z.strictObject({
    method: z.enum(['POST', 'PUT', 'PATCH']),
    /** `{settings.baseUrl}/api/tickets/{ticket_id}`: each field is encoded as one path segment. */
    url: text,
    auth: z.optional(authSchema),
    /** JSON with `{placeholders}`; a string that is one placeholder takes its value's type. */
    body: z.optional(jsonTemplate),
    /** One request per tag (`{tag}`), for APIs that add one tag per call. */
    forEach: z.optional(z.literal('tag')),
  });

  const tagsSchema = z.strictObject({
    /** add: the API adds what is sent; replace: it replaces the list, so the bridge reads, merges, writes. */
    mode: z.enum(['add', 'replace']),
    /** For replace: how to read the current tags (GET), and where they are in the answer. */
    read: z.optional(
      z.strictObject({
        url: text,
        auth: z.optional(authSchema),
        /** Path of the tag array in the answer. */
        path: text,
        /** Path of the name inside each item, when items are objects. */
        item: z.optional(text),
      }),
    ),
  });

  const connectorSpecSchema = z.strictObject({
    authenticity: authenticitySchema,
    events: eventsSchema,
    fields: fieldsSchema,
    /** The default auth of every write-back request. */
    auth: z.optional(authSchema),
    writeBack: z.array(requestSchema).check(z.minLength(1), z.maxLength(16)),
    /** Simpli priority → the value `{priority}` takes (a name or an id); unmapped priorities are not written. */
    priority: z.optional(z.partialRecord(z.enum(['low', 'medium', 'high', 'urgent']), z.union([text, z.number()]))),
    tags: z.optional(tagsSchema),
  });
  return { connectorSpecSchema, authenticitySchema, requestSchema, authSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
const schemas = lazy(buildSchemas);

/** The schema of a connector specification (built on first call). */
export const connectorSpecSchema = (): Schemas['connectorSpecSchema'] => schemas().connectorSpecSchema;

export type ConnectorSpec = z.infer<Schemas['connectorSpecSchema']>;
export type Authenticity = z.infer<Schemas['authenticitySchema']>;
export type WriteBackRequest = z.infer<Schemas['requestSchema']>;
export type AuthSpec = z.infer<Schemas['authSchema']>;
