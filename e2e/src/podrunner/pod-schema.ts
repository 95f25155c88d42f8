// The parts of a Pod (and of the objects it references) that the pod runner reads, validated with
// zod because they come from the API server and, through it, from whoever created the pod.
// Unknown fields pass through; fields the runner does not understand are ignored or reported.
import { z } from 'zod';

const KeyToPath = z.object({ key: z.string(), path: z.string(), mode: z.number().int().optional() });

const ObjectFieldSelector = z.object({ fieldPath: z.string(), apiVersion: z.string().optional() });
const KeySelector = z.object({
  name: z.string().optional(),
  key: z.string(),
  optional: z.boolean().optional(),
});

export const EnvVarSchema = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .object({
      fieldRef: ObjectFieldSelector.optional(),
      secretKeyRef: KeySelector.optional(),
      configMapKeyRef: KeySelector.optional(),
      resourceFieldRef: z.object({ resource: z.string(), containerName: z.string().optional() }).optional(),
    })
    .optional(),
});
export type EnvVar = z.infer<typeof EnvVarSchema>;

const NamedOptional = z.object({ name: z.string().optional(), optional: z.boolean().optional() });
export const EnvFromSchema = z.object({
  prefix: z.string().optional(),
  configMapRef: NamedOptional.optional(),
  secretRef: NamedOptional.optional(),
});
export type EnvFrom = z.infer<typeof EnvFromSchema>;

export const ContainerSchema = z.object({
  name: z.string(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  env: z.array(EnvVarSchema).optional(),
  envFrom: z.array(EnvFromSchema).optional(),
  volumeMounts: z
    .array(
      z.object({
        name: z.string(),
        mountPath: z.string(),
        subPath: z.string().optional(),
        readOnly: z.boolean().optional(),
      }),
    )
    .optional(),
  terminationMessagePath: z.string().optional(),
  terminationMessagePolicy: z.string().optional(),
});
export type Container = z.infer<typeof ContainerSchema>;

const ItemsSource = z.object({
  name: z.string().optional(),
  items: z.array(KeyToPath).optional(),
  optional: z.boolean().optional(),
});
const DownwardItems = z.object({
  items: z
    .array(
      z.object({ path: z.string(), fieldRef: ObjectFieldSelector.optional(), mode: z.number().optional() }),
    )
    .optional(),
});

export const VolumeSchema = z.object({
  name: z.string(),
  emptyDir: z.looseObject({}).optional(),
  secret: z
    .object({
      secretName: z.string().optional(),
      items: z.array(KeyToPath).optional(),
      defaultMode: z.number().int().optional(),
      optional: z.boolean().optional(),
    })
    .optional(),
  configMap: ItemsSource.extend({ defaultMode: z.number().int().optional() }).optional(),
  downwardAPI: DownwardItems.extend({ defaultMode: z.number().int().optional() }).optional(),
  projected: z
    .object({
      defaultMode: z.number().int().optional(),
      sources: z
        .array(
          z.object({
            secret: ItemsSource.optional(),
            configMap: ItemsSource.optional(),
            downwardAPI: DownwardItems.optional(),
            serviceAccountToken: z
              .object({
                audience: z.string().optional(),
                expirationSeconds: z.number().int().optional(),
                path: z.string(),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type Volume = z.infer<typeof VolumeSchema>;

export const PodSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    uid: z.string(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    deletionTimestamp: z.string().optional(),
    deletionGracePeriodSeconds: z.number().optional(),
    finalizers: z.array(z.string()).optional(),
  }),
  spec: z.object({
    nodeName: z.string().optional(),
    schedulerName: z.string().optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    serviceAccountName: z.string().optional(),
    restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
    activeDeadlineSeconds: z.number().int().optional(),
    terminationGracePeriodSeconds: z.number().int().optional(),
    initContainers: z.array(ContainerSchema).optional(),
    containers: z.array(ContainerSchema),
    volumes: z.array(VolumeSchema).optional(),
  }),
  status: z
    .object({
      phase: z.string().optional(),
      startTime: z.string().optional(),
    })
    .optional(),
});
export type Pod = z.infer<typeof PodSchema>;

export const DataObjectSchema = z.object({
  data: z.record(z.string(), z.string()).optional(),
  binaryData: z.record(z.string(), z.string()).optional(),
});

export const TokenRequestResponseSchema = z.object({
  status: z.object({ token: z.string().min(1), expirationTimestamp: z.string() }),
});

/** Pods that reached a phase from which nothing is restarted. */
export const isTerminalPhase = (phase: string | undefined) => phase === 'Succeeded' || phase === 'Failed';
