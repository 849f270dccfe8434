import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Global setup of the integration project: brings the local stack
 * (infra/local/stack.sh) up once for every integration test file and takes
 * it down afterwards, even when tests fail. A stack that was already fully
 * up (a developer's) is left running.
 */
const run = promisify(execFile);
const script = resolve(import.meta.dirname, '../../infra/local/stack.sh');

export const STACK = {
  kafkaBroker: '127.0.0.1:19092',
  registryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
  clickhouseUrl: 'http://127.0.0.1:18123',
} as const;

async function stack(command: 'up' | 'down' | 'status'): Promise<string> {
  try {
    const { stdout } = await run('bash', [script, command], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(
      `bash infra/local/stack.sh ${command} failed:\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

function fullyUp(status: string): boolean {
  return ['kafka', 'apicurio', 'clickhouse'].every((name) =>
    new RegExp(`^\\s*${name}\\s+running \\(pid`, 'm').test(status),
  );
}

export default async function setup(): Promise<() => Promise<void>> {
  const leaveRunning = fullyUp(await stack('status'));
  await stack('up');
  return async () => {
    if (!leaveRunning) await stack('down');
  };
}
