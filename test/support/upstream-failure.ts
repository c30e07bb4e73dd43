/** The UpstreamError a call fails with; fails the test when it succeeds or fails otherwise. */
import { expect } from 'vitest';
import { UpstreamError } from '../../lib/errors.ts';

export async function upstreamFailure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected the call to fail');
}
