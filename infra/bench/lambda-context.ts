/** A Lambda context for in-process invocations (Powertools' injectLambdaContext reads it). */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const startedMs = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    // A UUID per invocation, as Lambda's: every log line carries it, so its length is part of the cost figure's log bytes.
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, startedMs + timeoutMs - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
