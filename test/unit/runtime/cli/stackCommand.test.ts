import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';
import { UsageError } from '../../../../runtime/cli/flags.js';
import {
  type Invocation,
  runStack,
  STACK_ACTIONS,
  STACK_USAGE,
  stackInvocation,
} from '../../../../runtime/cli/stackCommand.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

function io(): CommandIo & { out: (l: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => lines.push(l), env: {}, lines };
}

/** Records what would have been run and answers with `code`, never starting anything. */
function recorder(code: number): { spawner: (i: Invocation) => Promise<number>; calls: Invocation[] } {
  const calls: Invocation[] = [];
  return {
    calls,
    spawner: async (i) => {
      calls.push(i);
      return code;
    },
  };
}

describe('stackInvocation', () => {
  it('runs the stack script with bash from the package root', () => {
    expect(stackInvocation('up', '/repo')).toEqual({
      command: 'bash',
      args: ['/repo/infra/local/stack.sh', 'up'],
      cwd: '/repo',
    });
  });
});

describe('twinflow stack', () => {
  it('passes each action to the script and its exit code back', async () => {
    for (const [i, action] of STACK_ACTIONS.entries()) {
      const { spawner, calls } = recorder(i);
      expect(await runStack([action], io(), { spawner, root: '/somewhere' })).toBe(i);
      expect(calls).toEqual([stackInvocation(action, '/somewhere')]);
    }
  });

  it("finds this checkout's stack script by itself", async () => {
    const { spawner, calls } = recorder(0);
    await runStack(['status'], io(), { spawner });
    expect(calls).toEqual([stackInvocation('status', repoRoot)]);
    expect(existsSync(calls[0].args[0])).toBe(true);
    expect(calls[0].args[0]).toBe(join(repoRoot, 'infra/local/stack.sh'));
  });

  it('refuses a missing, unknown or extra argument without running anything', async () => {
    const { spawner, calls } = recorder(0);
    const cases: Array<[string[], RegExp]> = [
      [[], /^stack: name the action: up, down, status, fetch$/],
      [['start'], /^stack: unknown action "start"; known: up, down, status, fetch$/],
      [['up', 'now'], /^stack up: unexpected argument "now"$/],
    ];
    for (const [argv, message] of cases) {
      const err = await runStack(argv, io(), { spawner, root: '/r' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
    await expect(runStack(['up', '--force'], io(), { spawner, root: '/r' })).rejects.toThrow(
      /Unknown option/,
    );
    expect(calls).toEqual([]);
  });

  it('prints its usage for --help, naming every action', async () => {
    const out = io();
    const { spawner, calls } = recorder(0);
    expect(await runStack(['--help'], out, { spawner, root: '/r' })).toBe(0);
    expect(out.lines).toEqual([STACK_USAGE]);
    for (const action of STACK_ACTIONS) expect(STACK_USAGE).toMatch(new RegExp(`^ +${action} `, 'm'));
    expect(calls).toEqual([]);
  });
});
