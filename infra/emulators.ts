/**
 * The embedded AWS emulators for the local stack and the tests: fauxqs (SQS) and dynalite
 * (DynamoDB), both in-process on 127.0.0.1, ports chosen by the OS unless given.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { startFauxqs } from 'fauxqs';

const require = createRequire(import.meta.url);

export interface Emulators {
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly region: string;
  /** SDK client settings that point at the emulators (credentials are not checked). */
  readonly clientConfig: {
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

export const LOCAL_REGION = 'us-east-1';

export async function startEmulators(options: { sqsPort?: number; dynamodbPort?: number } = {}): Promise<Emulators> {
  const fauxqs = await startFauxqs({ port: options.sqsPort ?? 0, host: '127.0.0.1', logger: false, defaultRegion: LOCAL_REGION });
  const dynalite = (require('dynalite') as (opts: object) => Server)({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynalite.once('error', reject);
    dynalite.listen(options.dynamodbPort ?? 0, '127.0.0.1', () => resolve());
  });
  const dynamoPort = (dynalite.address() as AddressInfo).port;
  return {
    sqsEndpoint: `http://127.0.0.1:${fauxqs.port}`,
    dynamodbEndpoint: `http://127.0.0.1:${dynamoPort}`,
    region: LOCAL_REGION,
    clientConfig: { region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    async stop() {
      await Promise.all([
        fauxqs.stop(),
        new Promise<void>((resolve) => {
          dynalite.close(() => resolve());
          dynalite.closeAllConnections?.();
        }),
      ]);
    },
  };
}
