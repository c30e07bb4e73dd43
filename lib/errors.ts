/**
 * The bridge's few error classes. Each carries a machine-readable `reason`, keeps its `cause`,
 * and says whether retrying can help. `toHttpResponse` (http-response.ts) maps them to the
 * webhook caller; the caller never sees a message, only the status and a generic text.
 */

export interface BridgeErrorOptions {
  cause?: unknown;
}

/**
 * Each class names itself with a string literal (`override readonly name = '…'`), not with
 * `new.target.name`: the bundles are minified without KeepNames (issue #10: the `__name` wrappers
 * cost bytes and load time), so a class's own name is a minified identifier at run time. The name
 * is what logs (`error.name`), stack headers, DLQ attributes (`String(error)`) and the Lambda
 * runtime's `errorType` show.
 */
export abstract class BridgeError extends Error {
  abstract readonly retryable: boolean;
  abstract override readonly name: string;
  readonly reason: string;

  constructor(reason: string, message: string, options?: BridgeErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

/** 401: the request is not from the helpdesk. Reasons stay in logs, never in responses. */
export class AuthenticityError extends BridgeError {
  override readonly name = 'AuthenticityError';
  readonly retryable = false;
}

/** 400: the body cannot be parsed (not JSON / XML, not the documented shape). */
export class BadRequestError extends BridgeError {
  override readonly name = 'BadRequestError';
  readonly retryable = false;
}

/** 403: the request's source address is outside the provider's `allowedIps`. */
export class ForbiddenError extends BridgeError {
  override readonly name = 'ForbiddenError';
  readonly retryable = false;
}

/** 404: unknown provider or event route. */
export class NotFoundError extends BridgeError {
  override readonly name = 'NotFoundError';
  readonly retryable = false;
}

/** 413: the body is larger than the queue can carry. */
export class PayloadTooLargeError extends BridgeError {
  override readonly name = 'PayloadTooLargeError';
  readonly retryable = false;
}

/** 422: a well-formed event that can never be processed (no ticket id). */
export class UnprocessableEventError extends BridgeError {
  override readonly name = 'UnprocessableEventError';
  readonly retryable = false;
}

/** 503: the queue did not accept the event; the helpdesk must retry. */
export class QueueUnavailableError extends BridgeError {
  override readonly name = 'QueueUnavailableError';
  readonly retryable = true;
}

/** A call to Simpli or a helpdesk API failed. `retryable` follows the HTTP semantics. */
export class UpstreamError extends BridgeError {
  override readonly name = 'UpstreamError';
  readonly retryable: boolean;
  readonly service: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    fields: {
      service: string;
      reason: string;
      retryable: boolean;
      status?: number | undefined;
      retryAfterMs?: number | undefined;
    },
    message: string,
    options?: BridgeErrorOptions,
  ) {
    super(fields.reason, message, options);
    this.service = fields.service;
    this.retryable = fields.retryable;
    this.status = fields.status;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** A queued event is invalid or its processing can never succeed (bad stored payload). */
export class PermanentEventError extends BridgeError {
  override readonly name = 'PermanentEventError';
  readonly retryable = false;
}

/** Another invocation holds the event's lease, or took it from us: retry later. */
export class LeaseConflictError extends BridgeError {
  override readonly name = 'LeaseConflictError';
  readonly retryable = true;
}

/**
 * Another event of the same ticket is being written back (the Ledger's per-ticket lock, see
 * lib/ordering.ts), or it took the lock over from us: try again shortly, when it has finished.
 */
export class TicketBusyError extends BridgeError {
  override readonly name = 'TicketBusyError';
  readonly retryable = true;
}

/** The environment is wrong; thrown at cold start, naming the variable. */
export class ConfigError extends BridgeError {
  override readonly name = 'ConfigError';
  readonly retryable = false;
}

/** True when an error, whatever its class, may succeed if tried again. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof BridgeError) return error.retryable;
  // Unknown errors (bugs, SDK throttling, network) are retried by SQS; a bug ends in the DLQ
  // after maxReceiveCount with its message, which is what an operator needs.
  return true;
}

/** A short machine-readable reason for logs and the DLQ. */
export function reasonOf(error: unknown): string {
  if (error instanceof BridgeError) return error.reason;
  if (error instanceof Error) return error.name;
  return 'unknown';
}
