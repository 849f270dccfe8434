import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const DOCKER = 'infra/docker';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}

// Compose resolves `<<: *anchor` merge keys (YAML 1.1); the yaml package does so when asked.
const compose = parse(fs.readFileSync(path.join(DOCKER, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const config = parse(fs.readFileSync(path.join(DOCKER, 'config.yaml'), 'utf8')) as {
  kafka: { brokers: string[] };
  schemaRegistry: { url: string };
  clickhouse: { url: string; password: unknown };
  pipeline: { commands: { signing: { key: unknown } } };
  observability: { host: string; port: number };
};
const TWINFLOW = ['migrate', 'machine-health', 'produce'];

describe('infra/docker/compose.yaml', () => {
  it('defines the stack, and every service has an image or a build', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'clickhouse',
        'grafana',
        'kafka',
        'machine-health',
        'migrate',
        'produce',
        'prometheus',
        'schema-registry',
      ].sort(),
    );
    for (const [name, service] of Object.entries(services)) {
      expect(service.image !== undefined || service.build !== undefined, name).toBe(true);
    }
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(services['schema-registry'].image).toMatch(/^apicurio\/apicurio-registry:3\./);
    expect(services.clickhouse.image).toMatch(/^clickhouse\/clickhouse-server:/);
  });

  it('builds the twinflow services from the Dockerfile with the repository root as context', () => {
    for (const name of TWINFLOW) {
      const { build } = services[name];
      expect(build, name).toBeDefined();
      const context = path.resolve(DOCKER, build?.context as string);
      expect(context, name).toBe(path.resolve('.'));
      expect(fs.existsSync(path.join(context, build?.dockerfile as string)), name).toBe(true);
    }
    expect(services.migrate.command).toEqual(['migrate', '--config', '/etc/twinflow/config.yaml']);
    expect(services['machine-health'].command).toEqual([
      'run',
      'machine-health',
      '--config',
      '/etc/twinflow/config.yaml',
    ]);
    expect(services.produce.command).toEqual(['produce', '--config', '/etc/twinflow/config.yaml']);
  });

  it('runs the twinflow services restricted, with the config mounted and its env references set', () => {
    const envRefs = [config.clickhouse.password, config.pipeline.commands.signing.key].map((ref) => {
      expect(ref).toEqual({ env: expect.any(String) });
      return (ref as { env: string }).env;
    });
    for (const name of TWINFLOW) {
      const s = services[name];
      expect(s.user, name).toBe('10001:10001');
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toEqual(['ALL']);
      expect(s.volumes, name).toContain('./config.yaml:/etc/twinflow/config.yaml:ro');
      for (const env of envRefs) {
        // A required variable: compose refuses to start without it instead of passing an empty secret.
        expect(s.environment?.[env], `${name} ${env}`).toMatch(/^\$\{[A-Z_]+:\?.+\}$/);
      }
    }
    expect(services['machine-health'].environment?.POD_NAME).toBe('machine-health-0');
  });

  it('starts the job after Kafka, the registry and a successful migration', () => {
    const dependsOn = services['machine-health'].depends_on as Record<string, { condition: string }>;
    expect(dependsOn).toEqual({
      kafka: { condition: 'service_healthy' },
      'schema-registry': { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dep of deps) expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
    }
  });

  it('points the config at services of the stack', () => {
    const host = (url: string) => new URL(url).hostname;
    expect(config.kafka.brokers.map((b) => b.split(':')[0])).toEqual(['kafka']);
    expect(services).toHaveProperty(host(config.schemaRegistry.url));
    expect(config.schemaRegistry.url).toMatch(/\/apis\/ccompat\/v7$/);
    expect(services).toHaveProperty(host(config.clickhouse.url));
    expect(services['machine-health'].ports).toContain(
      `127.0.0.1:${config.observability.port}:${config.observability.port}`,
    );
    // In the container on every interface (Prometheus comes over the compose network); on the host, loopback only.
    expect(config.observability.host).toBe('0.0.0.0');
  });

  it('publishes ports on 127.0.0.1 only and mounts files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
      for (const volume of s.volumes ?? []) {
        const [source] = volume.split(':');
        if (source.startsWith('.'))
          expect(fs.existsSync(path.join(DOCKER, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes ?? {}, `${name}: named volume ${source}`).toHaveProperty(source);
      }
    }
  });
});
