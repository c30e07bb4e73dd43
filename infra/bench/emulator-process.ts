/**
 * fauxqs + dynalite in their own process for the benchmarks: prints their endpoints as one JSON
 * line, and stops when its stdin closes (the parent ended or let go).
 */
import { startEmulators } from '../emulators.ts';

const emulators = await startEmulators();
process.stdout.write(`${JSON.stringify({ sqsEndpoint: emulators.sqsEndpoint, dynamodbEndpoint: emulators.dynamodbEndpoint, region: emulators.region })}\n`);
process.stdin.resume();
process.stdin.once('end', () => {
  void emulators.stop().finally(() => process.exit(0));
});
