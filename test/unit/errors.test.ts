/**
 * lib/errors.ts names each class with a string literal (the bundles are minified without
 * KeepNames, issue #10); this pins that every literal is its class's exported name, so a renamed
 * or copied class cannot log under another name. test/deploy/error-names.test.ts checks the bundles.
 */
import { describe, expect, it } from 'vitest';
import * as errors from '../../lib/errors.ts';

type ErrorClass = new (reason: string, message: string) => errors.BridgeError;

function instance(name: string, Class: ErrorClass): errors.BridgeError {
  if (name === 'UpstreamError') return new errors.UpstreamError({ service: 'triage', reason: 'timeout', retryable: true }, 'timed out');
  return new Class('some_reason', 'some message');
}

const classes: [string, ErrorClass][] = Object.entries(errors).flatMap(([name, value]: [string, unknown]) =>
  typeof value === 'function' && value.prototype instanceof errors.BridgeError ? [[name, value as ErrorClass] as [string, ErrorClass]] : [],
);

describe('error class names', () => {
  it('finds every error class of lib/errors.ts', () => {
    expect(classes.map(([name]) => name).sort()).toEqual([
      'AuthenticityError',
      'BadRequestError',
      'ConfigError',
      'ForbiddenError',
      'LeaseConflictError',
      'NotFoundError',
      'PayloadTooLargeError',
      'PermanentEventError',
      'QueueUnavailableError',
      'TicketBusyError',
      'UnprocessableEventError',
      'UpstreamError',
    ]);
  });

  for (const [name, Class] of classes) {
    it(`${name} is named "${name}" in its name, its text and its stack`, () => {
      const error = instance(name, Class);
      expect(error.name).toBe(name);
      expect(String(error)).toMatch(new RegExp(`^${name}: `));
      expect(error.stack).toMatch(new RegExp(`^${name}: `));
    });
  }
});
