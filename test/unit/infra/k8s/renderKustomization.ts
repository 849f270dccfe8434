import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** One object of a rendered kustomization, as plain parsed YAML. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<
    string,
    unknown
  >;
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field by the tests.
  readonly [field: string]: any;
}

/** kubectl is missing or fails to render; the message says which and how to fix it. */
export class KustomizeRenderError extends Error {
  override readonly name = 'KustomizeRenderError';
}

/**
 * Renders a kustomization folder offline with `kubectl kustomize` (kubectl ≥ 1.27
 * ships kustomize 5) and parses the multi-document YAML it prints.
 *
 * @example
 * const objects = renderKustomization('infra/k8s/overlays/prod');
 * objects.find((o) => o.kind === 'StatefulSet');
 */
export function renderKustomization(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new KustomizeRenderError(
        'kubectl not found on PATH: the infra/k8s tests render the kustomizations with `kubectl kustomize`. ' +
          'Install kubectl (>= 1.27, it includes kustomize 5), e.g. the Kubernetes apt repository or a release binary.',
        { cause: error },
      );
    }
    throw new KustomizeRenderError(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`, {
      cause: error,
    });
  }
  return parseAllDocuments(out).map((doc, i) => {
    if (doc.errors.length > 0)
      throw new KustomizeRenderError(`${dir}: document ${i}: ${doc.errors[0].message}`);
    return doc.toJS() as K8sObject;
  });
}
