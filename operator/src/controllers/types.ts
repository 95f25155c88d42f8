// The parts of built-in objects the controllers read.
import type { KubeObject } from '@tessera/controller-runtime';

export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export type Job = KubeObject & {
  spec?: Record<string, unknown>;
  status?: { conditions?: JobCondition[]; succeeded?: number; failed?: number; active?: number };
};

export interface ContainerStatus {
  name: string;
  state?: { terminated?: { exitCode?: number; reason?: string; message?: string } };
  lastState?: { terminated?: { exitCode?: number; reason?: string; message?: string } };
}

export type Pod = KubeObject & {
  status?: { phase?: string; containerStatuses?: ContainerStatus[] };
};

export type SecretLike = KubeObject & { type?: string; data?: Record<string, string> };
