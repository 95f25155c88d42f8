import { CATEGORY, crdName, type KindInfo } from './kinds.ts';
import { GROUP, VERSION } from './meta.ts';
import { type JsonSchema, toStructuralSchema } from './openapi.ts';

/** The apiextensions.k8s.io/v1 CustomResourceDefinition of one kind. */
export function customResourceDefinition(kind: KindInfo): JsonSchema {
  const spec = toStructuralSchema(kind.spec);
  const status = toStructuralSchema(kind.status);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: crdName(kind),
      labels: { 'app.kubernetes.io/name': 'tessera', 'app.kubernetes.io/component': 'crds' },
    },
    spec: {
      group: GROUP,
      scope: kind.namespaced ? 'Namespaced' : 'Cluster',
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        shortNames: [kind.shortName],
        categories: [CATEGORY],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: kind.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: kind.description,
              required: ['spec'],
              ...(kind.rules?.length ? { 'x-kubernetes-validations': kind.rules } : {}),
              properties: {
                apiVersion: {
                  type: 'string',
                  description: `APIVersion of the object: ${GROUP}/${VERSION}.`,
                },
                kind: { type: 'string', description: `Kind of the object: ${kind.kind}.` },
                metadata: { type: 'object' },
                spec,
                status,
              },
            },
          },
        },
      ],
    },
  };
}
