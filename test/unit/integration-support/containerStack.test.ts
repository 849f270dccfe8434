import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONTAINER_STACK_IMAGES,
  ContainerRuntimeUnavailableError,
  detectContainerRuntime,
  kafkaStartScript,
  startContainerStack,
} from '../../integration/containerStack.js';

const OPT_OUT = 'no container runtime: unset TWINFLOW_STACK=containers to use the process-based stack';

/** What testcontainers' getContainerRuntimeClient throws when no strategy finds a runtime. */
const noRuntime = async (): Promise<never> => {
  throw new Error('Could not find a working container runtime strategy');
};

describe('startContainerStack without a container runtime', () => {
  it('fails with the message that says how to go back to the process stack, the lookup error as cause', async () => {
    const error = await startContainerStack({ runtime: noRuntime }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerRuntimeUnavailableError);
    const unavailable = error as ContainerRuntimeUnavailableError;
    expect(unavailable.message).toContain(OPT_OUT);
    expect(unavailable.message).toContain('none found');
    expect((unavailable.cause as Error).message).toBe('Could not find a working container runtime strategy');
    expect(unavailable.retriable).toBe(false);
  });

  it('fails the same way when the lookup never answers, instead of hanging', async () => {
    const error = await startContainerStack({
      runtime: () => new Promise<never>(() => {}),
      runtimeTimeoutMs: 20,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerRuntimeUnavailableError);
    expect((error as Error).message).toContain(OPT_OUT);
    expect((error as Error).message).toContain('no answer within 20 ms');
  });
});

describe('detectContainerRuntime', () => {
  it('returns the runtime the probe found', async () => {
    const runtime = { name: 'docker' };
    await expect(detectContainerRuntime(async () => runtime, 1_000)).resolves.toBe(runtime);
  });
});

describe('kafkaStartScript', () => {
  it('advertises the host and the port Docker mapped, then runs the image start command', () => {
    const script = kafkaStartScript('localhost', 32771);
    expect(script.split('\n')).toEqual([
      '#!/bin/bash',
      "export KAFKA_ADVERTISED_LISTENERS='PLAINTEXT://localhost:32771,BROKER://kafka:9093'",
      'exec /etc/kafka/docker/run',
      '',
    ]);
  });

  it('refuses a host that could break out of the quoted value, and a port out of range', () => {
    expect(() => kafkaStartScript("localhost'; rm -rf /'", 32771)).toThrow(/unexpected host/);
    expect(() => kafkaStartScript('localhost', 0)).toThrow(/port must be 1-65535/);
    expect(() => kafkaStartScript('localhost', 70_000)).toThrow(/port must be 1-65535/);
  });
});

describe('CONTAINER_STACK_IMAGES', () => {
  it('runs the Kafka and Apicurio versions infra/local/stack.sh fetches', () => {
    const stackScript = readFileSync(resolve(import.meta.dirname, '../../../infra/local/stack.sh'), 'utf8');
    const kafka = /^KAFKA_VERSION=(\S+)/m.exec(stackScript)?.[1];
    const apicurio = /^APICURIO_VERSION=(\S+)/m.exec(stackScript)?.[1];
    expect(CONTAINER_STACK_IMAGES.kafka).toBe(`apache/kafka:${kafka}`);
    expect(CONTAINER_STACK_IMAGES.apicurio).toBe(`apicurio/apicurio-registry:${apicurio}`);
  });
});
