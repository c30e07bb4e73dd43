/** What a piece of code writes to stdout and stderr, taken from both streams (nothing passes through). */

export interface WrittenLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

function tap(): { readonly lines: WrittenLine[]; restore(): void } {
  const lines: WrittenLine[] = [];
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: unknown) => {
      for (const text of String(chunk).split('\n')) if (text !== '') lines.push({ stream, text });
      return true;
    }) as typeof process.stdout.write;
  }
  return {
    lines,
    restore() {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}

/** Every non-empty line `run` writes while it runs, with the stream it went to. */
export async function captureOutput(run: () => void | Promise<void>): Promise<WrittenLine[]> {
  const taken = tap();
  try {
    await run();
  } finally {
    taken.restore();
  }
  return taken.lines;
}

/** The same for code that writes synchronously, returned as soon as it returns. */
export function captureOutputSync(run: () => void): WrittenLine[] {
  const taken = tap();
  try {
    run();
  } finally {
    taken.restore();
  }
  return taken.lines;
}
