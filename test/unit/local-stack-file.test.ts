import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeLocalStackFile, withLocalStackEnv, writeLocalStackFile } from '../../infra/local-stack-file.ts';

describe('the local stack file (.local/stack.json)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'stack-')), 'stack.json');

  it('gives the tools the running stack’s endpoints, under the caller’s own variables', () => {
    writeLocalStackFile({ QUEUE_URL: 'http://127.0.0.1:1/q', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1' }, file);
    expect(withLocalStackEnv({}, undefined, file)).toEqual({ QUEUE_URL: 'http://127.0.0.1:1/q', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1' });
    expect(withLocalStackEnv({ QUEUE_URL: 'mine' }, undefined, file).QUEUE_URL).toBe('mine');
  });

  it('is ignored when an AWS stack is named, so no emulator endpoint leaks into an AWS call', () => {
    writeLocalStackFile({ AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1' }, file);
    expect(withLocalStackEnv({}, 'prod-stack', file)).toEqual({});
    expect(withLocalStackEnv({ STACK_NAME: 'prod-stack' }, undefined, file)).toEqual({ STACK_NAME: 'prod-stack' });
  });

  it('is gone once the stack stops', () => {
    writeLocalStackFile({ QUEUE_URL: 'x' }, file);
    removeLocalStackFile(file);
    expect(withLocalStackEnv({}, undefined, file)).toEqual({});
  });
});
