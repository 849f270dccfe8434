import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type K8sObject, renderKustomization } from './renderKustomization.js';

const K8S = 'infra/k8s';
const SECRET_NAME = 'twinflow-secrets';
const SECRET_MOUNT = '/var/run/secrets/twinflow';
const CONFIG_PATH = '/etc/twinflow/config.yaml';
const METRICS_PORT = 9464;

/** What each rendered folder must be, beyond the rules every one of them follows. */
const TARGETS = {
  base: { namespace: undefined, replicas: 1 as number | undefined, secureKafka: true },
  'overlays/dev': { namespace: 'twinflow-dev', replicas: 1 as number | undefined, secureKafka: false },
  'overlays/prod': { namespace: 'twinflow', replicas: 3 as number | undefined, secureKafka: true },
  // KEDA owns the replica count: the StatefulSet leaves it out.
  'overlays/autoscaling': { namespace: 'twinflow', replicas: undefined, secureKafka: true },
} as const;
type Target = keyof typeof TARGETS;

/** Kinds kubernetes-models does not know (KEDA's CRDs), checked by hand below. */
const CUSTOM_KINDS = new Set(['keda.sh/v1alpha1/ScaledObject', 'keda.sh/v1alpha1/TriggerAuthentication']);

interface JobConfig {
  job: { name: string };
  kafka: { brokers: string[]; sasl?: { mechanism: string }; tls?: { enabled: boolean } };
  topics: { input: string; partitions: number };
  [section: string]: unknown;
}

const rendered = new Map<Target, K8sObject[]>();
function objects(target: Target): K8sObject[] {
  let list = rendered.get(target);
  if (list === undefined) {
    list = renderKustomization(path.join(K8S, target));
    rendered.set(target, list);
  }
  return list;
}

function only(list: K8sObject[], kind: string, name?: string): K8sObject {
  const found = list.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(
    found.map((o) => o.metadata.name),
    `${kind} ${name ?? ''}`,
  ).toHaveLength(1);
  return found[0];
}

/** Whether a selector's labels are all on the pod. */
function podLabelsMatch(podLabels: Record<string, string>, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => podLabels[k] === v);
}

function jobConfig(list: K8sObject[]): JobConfig {
  const cm = only(list, 'ConfigMap');
  return parse(cm.data['config.yaml']) as JobConfig;
}

/** Pod templates of the workloads, with the kind/name they belong to. */
function podTemplates(list: K8sObject[]): { owner: string; spec: K8sObject['spec'] }[] {
  return list
    .filter((o) => o.kind === 'StatefulSet' || o.kind === 'Job' || o.kind === 'Deployment')
    .map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));
}

/** CPU in cores or memory in bytes, from a Kubernetes quantity ("500m", "2", "1Gi", "512M"). */
function quantity(value: string | number): number {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value));
  if (m === null) throw new Error(`not a quantity: ${value}`);
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(m[1]) * (m[2] === undefined ? 1 : factor[m[2]]);
}

/** Every `{ file }` and `{ env }` secret reference in the config, with where it sits. */
function secretRefs(node: unknown, at = ''): { at: string; file?: string; env?: string }[] {
  if (node === null || typeof node !== 'object') return [];
  const rec = node as Record<string, unknown>;
  if (typeof rec.file === 'string' || typeof rec.env === 'string') {
    return [{ at, file: rec.file as string | undefined, env: rec.env as string | undefined }];
  }
  return Object.entries(rec).flatMap(([k, v]) => secretRefs(v, at === '' ? k : `${at}.${k}`));
}

/** Keys that hold credentials: their value must be a reference, never a literal. */
const SECRET_KEY = /(password|secret|token|credential|apikey|^key)$/i;

function literalSecrets(node: unknown, at = ''): string[] {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => {
    const where = at === '' ? k : `${at}.${k}`;
    if (SECRET_KEY.test(k) && (typeof v !== 'object' || v === null)) return [where];
    return literalSecrets(v, where);
  });
}

const secretsExample = parse(fs.readFileSync(path.join(K8S, 'base/secrets.example.yaml'), 'utf8')) as {
  kind: string;
  metadata: { name: string };
  stringData: Record<string, string>;
};
const SECRET_KEYS = new Set(Object.keys(secretsExample.stringData));

describe.each(Object.keys(TARGETS) as Target[])('kubectl kustomize infra/k8s/%s', (target) => {
  const expected = TARGETS[target];

  it('renders objects that validate against the Kubernetes schemas (KEDA CRDs by hand)', async () => {
    const list = objects(target);
    expect(list.length).toBeGreaterThan(5);
    for (const o of list) {
      const id = `${o.apiVersion}/${o.kind}`;
      if (CUSTOM_KINDS.has(id)) continue;
      // The module path of a model is its apiVersion: kubernetes-models/apps/v1, kubernetes-models/v1.
      const specifier = `kubernetes-models/${o.apiVersion}`;
      const models = (await import(/* @vite-ignore */ specifier)) as Record<
        string,
        new (
          data: unknown,
        ) => { validate(): void }
      >;
      const Model = models[o.kind];
      expect(Model, `no kubernetes-models class for ${id}`).toBeTypeOf('function');
      expect(() => new Model(o).validate(), `${id} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('puts every object in the overlay namespace (none in base)', () => {
    for (const o of objects(target))
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(expected.namespace);
  });

  it('contains no Secret: secrets are created out of band and only referenced', () => {
    const secrets = objects(target).filter((o) => o.kind === 'Secret');
    expect(secrets).toEqual([]);
  });

  it('has a config that parses, holds references instead of secret values, and matches the Kafka mode', () => {
    const config = jobConfig(objects(target));
    expect(config.job.name).toBe('machine-health');
    expect(literalSecrets(config)).toEqual([]);
    const refs = secretRefs(config);
    expect(refs.map((r) => r.at)).toEqual(
      expect.arrayContaining(['clickhouse.password', 'pipeline.commands.signing.key']),
    );
    for (const ref of refs) {
      // A file reference must name a key of the Secret mounted at SECRET_MOUNT.
      if (ref.file !== undefined) {
        expect(path.posix.dirname(ref.file), ref.at).toBe(SECRET_MOUNT);
        expect(SECRET_KEYS.has(path.posix.basename(ref.file)), `${ref.at}: ${ref.file}`).toBe(true);
      }
    }
    if (expected.secureKafka) {
      expect(config.kafka.sasl?.mechanism).toBe('scram-sha-512');
      expect(config.kafka.tls?.enabled).toBe(true);
    } else {
      expect(config.kafka.sasl).toBeUndefined();
      expect(config.kafka.tls).toBeUndefined();
    }
  });

  it('never runs more replicas than the telemetry topic has partitions', () => {
    const list = objects(target);
    const { partitions } = jobConfig(list).topics;
    const sts = only(list, 'StatefulSet', 'machine-health');
    expect(sts.spec.replicas).toBe(expected.replicas);
    expect(sts.spec.replicas ?? 1).toBeLessThanOrEqual(partitions);
    for (const so of list.filter((o) => o.kind === 'ScaledObject')) {
      expect(so.spec.maxReplicaCount).toBeLessThanOrEqual(partitions);
      expect(so.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(so.spec.minReplicaCount).toBeLessThanOrEqual(so.spec.maxReplicaCount);
    }
  });

  it('gives every container resource requests and limits, with limits >= requests', () => {
    for (const { owner, spec } of podTemplates(objects(target))) {
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const resource of ['cpu', 'memory']) {
          const request = c.resources?.requests?.[resource];
          const limit = c.resources?.limits?.[resource];
          expect(request, `${owner} ${c.name} requests.${resource}`).toBeDefined();
          expect(limit, `${owner} ${c.name} limits.${resource}`).toBeDefined();
          expect(quantity(limit), `${owner} ${c.name} ${resource}`).toBeGreaterThanOrEqual(quantity(request));
        }
        // V8's heap must fit in the memory limit, or the pod is OOM-killed instead of collecting garbage.
        const heap = /--max-old-space-size=(\d+)/.exec(
          c.env?.find((e: { name: string }) => e.name === 'NODE_OPTIONS')?.value ?? '',
        );
        if (heap !== null) {
          expect(Number(heap[1]) * 2 ** 20, `${owner} ${c.name} heap`).toBeLessThan(
            quantity(c.resources.limits.memory),
          );
        }
      }
    }
  });

  it('runs every pod restricted: non-root 10001, read-only root, no escalation, no capabilities', () => {
    const templates = podTemplates(objects(target));
    expect(templates.map((t) => t.owner).sort()).toEqual([
      'Job/machine-health-migrate',
      'StatefulSet/machine-health',
    ]);
    for (const { owner, spec } of templates) {
      expect(spec.automountServiceAccountToken, owner).toBe(false);
      expect(spec.securityContext.runAsNonRoot, owner).toBe(true);
      expect(spec.securityContext.seccompProfile?.type, owner).toBe('RuntimeDefault');
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const sc = c.securityContext ?? {};
        const where = `${owner} ${c.name}`;
        expect(sc.runAsNonRoot ?? spec.securityContext.runAsNonRoot, where).toBe(true);
        expect(sc.runAsUser ?? spec.securityContext.runAsUser, where).toBe(10001);
        expect(sc.readOnlyRootFilesystem, where).toBe(true);
        expect(sc.allowPrivilegeEscalation, where).toBe(false);
        expect(sc.capabilities?.drop, where).toContain('ALL');
        expect(sc.capabilities?.add ?? [], where).toEqual([]);
        expect(sc.privileged ?? false, where).toBe(false);
        // With a read-only root, /tmp must be a writable emptyDir.
        const tmp = c.volumeMounts?.find((m: { mountPath: string }) => m.mountPath === '/tmp');
        expect(tmp, `${where} /tmp`).toBeDefined();
        expect(
          spec.volumes.find((v: { name: string }) => v.name === tmp.name)?.emptyDir,
          where,
        ).toBeDefined();
      }
    }
  });

  it('wires config, secrets and env the config refers to into the job and the migration', () => {
    const list = objects(target);
    const cm = only(list, 'ConfigMap');
    const refs = secretRefs(jobConfig(list));
    for (const { owner, spec } of podTemplates(list)) {
      const [c] = spec.containers;
      const volume = (name: string) => spec.volumes.find((v: { name: string }) => v.name === name);
      const mountAt = (dir: string) => c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === dir);
      // --config names the file of the mounted (hash-suffixed) ConfigMap.
      expect(c.args.slice(-2), owner).toEqual(['--config', CONFIG_PATH]);
      const configMount = mountAt(path.posix.dirname(CONFIG_PATH));
      expect(configMount?.readOnly, owner).toBe(true);
      expect(volume(configMount.name).configMap.name, owner).toBe(cm.metadata.name);
      // Secret files: the projected twinflow-secrets volume, read-only.
      const secretMount = mountAt(SECRET_MOUNT);
      expect(secretMount?.readOnly, owner).toBe(true);
      const sources = volume(secretMount.name).projected.sources;
      expect(
        sources.map((s: { secret?: { name: string } }) => s.secret?.name),
        owner,
      ).toEqual([SECRET_NAME]);
      // Env references resolve to env variables of the container, filled from the Secret.
      const env = new Map<string, K8sObject>(c.env.map((e: K8sObject) => [e.name, e]));
      for (const ref of refs.filter((r) => r.env !== undefined)) {
        const key = env.get(ref.env as string)?.valueFrom?.secretKeyRef;
        expect(key?.name, `${owner} env ${ref.env}`).toBe(SECRET_NAME);
        expect(SECRET_KEYS.has(key?.key), `${owner} env ${ref.env}`).toBe(true);
      }
      expect(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath, owner).toBe('metadata.name');
      expect(spec.enableServiceLinks, owner).toBe(false);
    }
  });

  it('runs the job as a Parallel StatefulSet with stable names, probes and a graceful stop', () => {
    const list = objects(target);
    const sts = only(list, 'StatefulSet', 'machine-health');
    const pod = sts.spec.template;
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    expect(pod.metadata.labels).toMatchObject(sts.spec.selector.matchLabels);
    const [job] = pod.spec.containers;
    expect(job.args.slice(0, 2)).toEqual(['run', 'machine-health']);
    const port = (p: number | string) =>
      typeof p === 'number' ? p : job.ports.find((cp: { name: string }) => cp.name === p)?.containerPort;
    for (const [probe, probePath] of [
      ['livenessProbe', '/healthz'],
      ['readinessProbe', '/readyz'],
      ['startupProbe', '/readyz'],
    ] as const) {
      expect(job[probe]?.httpGet?.path, probe).toBe(probePath);
      expect(port(job[probe].httpGet.port), probe).toBe(METRICS_PORT);
    }
    // The startup probe gives the state restore minutes, not seconds, before liveness takes over.
    const startup = job.startupProbe;
    expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(600);
    // The headless governing Service exists and selects these pods.
    const headless = only(list, 'Service', sts.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    expect(pod.metadata.labels).toMatchObject(headless.spec.selector);
  });

  it('has a metrics Service with scrape annotations, a PDB and a NetworkPolicy for the pods', () => {
    const list = objects(target);
    const podLabels = only(list, 'StatefulSet', 'machine-health').spec.template.metadata.labels;
    const metrics = only(list, 'Service', 'machine-health-metrics');
    expect(metrics.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(METRICS_PORT),
      'prometheus.io/path': '/metrics',
    });
    expect(metrics.spec.ports.map((p: { port: number }) => p.port)).toEqual([METRICS_PORT]);
    expect(podLabels).toMatchObject(metrics.spec.selector);

    const pdb = only(list, 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);

    const policy = only(list, 'NetworkPolicy');
    expect(podLabels).toMatchObject(policy.spec.podSelector.matchLabels);
    const migrateLabels = only(list, 'Job').spec.template.metadata.labels;
    expect(migrateLabels).toMatchObject(policy.spec.podSelector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const egress = policy.spec.egress.flatMap((r: K8sObject) =>
      r.ports.map((p: K8sObject) => `${p.protocol}/${p.port}`),
    );
    expect(egress.sort()).toEqual(
      ['UDP/53', 'TCP/53', 'TCP/9092', 'TCP/9093', 'TCP/8081', 'TCP/8123', 'TCP/8443', 'TCP/9440'].sort(),
    );
    const ingress = policy.spec.ingress.flatMap((r: K8sObject) => r.ports.map((p: K8sObject) => p.port));
    expect(ingress).toEqual([METRICS_PORT]);
    expect(policy.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      'kubernetes.io/metadata.name': 'monitoring',
    });
  });
  it('exposes the HTTP port (metrics, probes, live view) only through its Services, behind the NetworkPolicy', () => {
    const list = objects(target);
    // In the pod the job listens on every interface, or the Services and the kubelet could not reach it.
    const { observability } = jobConfig(list) as { observability?: { host?: string; port?: number } };
    expect(observability?.host).toBe('0.0.0.0');
    expect(observability?.port).toBe(METRICS_PORT);

    const sts = only(list, 'StatefulSet', 'machine-health');
    for (const { owner, spec } of podTemplates(list)) {
      expect(spec.hostNetwork ?? false, owner).toBe(false);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const p of c.ports ?? []) expect(p.hostPort, `${owner} ${c.name} hostPort`).toBeUndefined();
      }
    }
    // The job's one container port is the config's; the migration serves nothing.
    expect(sts.spec.template.spec.containers.flatMap((c: K8sObject) => c.ports ?? [])).toEqual([
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
    ]);
    expect(only(list, 'Job').spec.template.spec.containers.flatMap((c: K8sObject) => c.ports ?? [])).toEqual(
      [],
    );

    // The existing Services only, inside the cluster: no NodePort, LoadBalancer, external IP or Ingress.
    const services = list.filter((o) => o.kind === 'Service');
    expect(services.map((o) => o.metadata.name).sort()).toEqual([
      'machine-health-headless',
      'machine-health-metrics',
    ]);
    for (const svc of services) {
      const name = svc.metadata.name;
      expect(svc.spec.type ?? 'ClusterIP', name).toBe('ClusterIP');
      expect(svc.spec.externalIPs ?? [], name).toEqual([]);
      expect(
        svc.spec.ports.map((p: K8sObject) => [p.port, p.targetPort, p.nodePort]),
        name,
      ).toEqual([[METRICS_PORT, 'metrics', undefined]]);
    }
    const exposing = ['Ingress', 'IngressClass', 'Gateway', 'HTTPRoute', 'Route'];
    expect(list.filter((o) => exposing.includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      [],
    );

    // One policy for the pods: every ingress rule names its sources and opens that port alone.
    const policies = list.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    expect(policy.spec.ingress.length).toBeGreaterThan(0);
    for (const rule of policy.spec.ingress) {
      // A rule without `from` would admit every source.
      expect(rule.from?.length ?? 0).toBeGreaterThan(0);
      expect(rule.ports.map((p: K8sObject) => [p.protocol, p.port])).toEqual([['TCP', METRICS_PORT]]);
    }
    expect(podLabelsMatch(sts.spec.template.metadata.labels, policy.spec.podSelector.matchLabels)).toBe(true);
  });
});

describe('infra/k8s overlays', () => {
  it('prod spreads its pods over nodes and gives them more than dev', () => {
    const prod = only(objects('overlays/prod'), 'StatefulSet').spec.template.spec;
    const dev = only(objects('overlays/dev'), 'StatefulSet').spec.template.spec;
    const term =
      prod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(only(objects('overlays/prod'), 'StatefulSet').spec.template.metadata.labels).toMatchObject(
      term.labelSelector.matchLabels,
    );
    for (const resource of ['cpu', 'memory']) {
      expect(quantity(prod.containers[0].resources.limits[resource])).toBeGreaterThan(
        quantity(dev.containers[0].resources.limits[resource]),
      );
    }
  });

  it('autoscaling scales the StatefulSet with KEDA on the lag of the job group on the telemetry topic', () => {
    const list = objects('overlays/autoscaling');
    const config = jobConfig(list);
    const so = only(list, 'ScaledObject', 'machine-health');
    // ScaledObject has no kubernetes-models class: its required fields, checked by hand.
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'machine-health',
    });
    expect(so.spec.minReplicaCount).toBe(1);
    expect(so.spec.maxReplicaCount).toBe(config.topics.partitions);
    expect(so.spec.triggers).toHaveLength(1);
    const [trigger] = so.spec.triggers;
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata).toMatchObject({
      bootstrapServers: config.kafka.brokers.join(','),
      consumerGroup: config.job.name,
      topic: config.topics.input,
      allowIdleConsumers: 'false',
      sasl: 'scram_sha512',
      tls: 'enable',
    });
    expect(Number(trigger.metadata.lagThreshold)).toBeGreaterThan(0);
    // KEDA reads trigger metadata as strings only.
    for (const [key, value] of Object.entries(trigger.metadata)) expect(typeof value, key).toBe('string');

    const auth = only(list, 'TriggerAuthentication', trigger.authenticationRef.name);
    expect(auth.apiVersion).toBe('keda.sh/v1alpha1');
    const params = auth.spec.secretTargetRef.map((r: K8sObject) => r.parameter).sort();
    expect(params).toEqual(['ca', 'password', 'username']);
    for (const ref of auth.spec.secretTargetRef) {
      expect(ref.name).toBe(SECRET_NAME);
      expect(SECRET_KEYS.has(ref.key), ref.key).toBe(true);
    }
  });

  it('keeps secrets.example.yaml out of every kustomization and free of real values', () => {
    expect(secretsExample.kind).toBe('Secret');
    expect(secretsExample.metadata.name).toBe(SECRET_NAME);
    for (const [key, value] of Object.entries(secretsExample.stringData)) {
      if (key !== 'kafka-username') expect(value, key).toMatch(/^<replace/);
    }
    const kustomizations = ['base', ...Object.keys(TARGETS).filter((t) => t !== 'base')].map((t) =>
      fs.readFileSync(path.join(K8S, t, 'kustomization.yaml'), 'utf8'),
    );
    for (const text of kustomizations) expect(text).not.toMatch(/^\s*-\s*secrets\.example\.yaml/m);
  });
});
