// Where the Kubernetes API is and how to authenticate to it, resolved the way kubectl resolves
// it: --kubeconfig, else every file of $KUBECONFIG merged (the first file that names a cluster,
// context or user wins), else ~/.kube/config, else the in-cluster ServiceAccount. Supports
// certificate authorities, client certificates, bearer tokens and token files, basic auth,
// impersonation and exec credential plugins (client.authentication.k8s.io v1 and v1beta1).
//
// It exists so that short-lived processes (the CLI) do not pay for importing the generated
// Kubernetes client (~0.9 s of CPU) only to read a kubeconfig.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import { parse as parseYaml } from 'yaml';

export interface KubeconfigOptions {
  /** A kubeconfig file; only this one is read. */
  kubeconfig?: string | undefined;
  /** A context other than the current one. */
  context?: string | undefined;
  /** A namespace other than the context's. */
  namespace?: string | undefined;
  /** The environment to read $KUBECONFIG, $HOME and the in-cluster variables from. */
  env?: NodeJS.ProcessEnv;
}

export interface KubeAuth {
  headers: Record<string, string>;
  dispatcher: Dispatcher;
}

/** A resolved connection: the API server, the namespace to default to, and fresh credentials. */
export interface KubeConnection {
  server: string;
  namespace: string;
  /** Where the connection came from (a file path or "in-cluster"), for messages. */
  source: string;
  contextName: string;
  /** Current credentials; cheap when nothing expired (tokens from files and plugins are cached). */
  authenticate(): Promise<KubeAuth>;
}

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

interface Named<T> {
  name: string;
  value: T;
}
interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}
interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: Array<{ name: string; value: string }> | null;
  provideClusterInfo?: boolean;
}
interface UserEntry {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  as?: string;
  'as-groups'?: string[];
  exec?: ExecConfig;
  'auth-provider'?: { name?: string };
}
interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** One kubeconfig file, with relative paths resolved against its directory. */
interface ConfigFile {
  path: string;
  currentContext?: string;
  clusters: Array<Named<ClusterEntry>>;
  users: Array<Named<UserEntry>>;
  contexts: Array<Named<ContextEntry>>;
}

const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Token files are re-read this often (projected tokens rotate). */
const TOKEN_FILE_REFRESH_MS = 60_000;

function configPaths(options: KubeconfigOptions, env: NodeJS.ProcessEnv): string[] {
  return options.kubeconfig
    ? [options.kubeconfig]
    : env.KUBECONFIG
      ? env.KUBECONFIG.split(delimiter).filter(Boolean)
      : [join(env.HOME ?? homedir(), '.kube', 'config')];
}

/** Every context name the kubeconfig files define (for shell completion). */
export function kubeconfigContexts(options: KubeconfigOptions = {}): string[] {
  const files = configPaths(options, options.env ?? process.env).filter((p) => existsSync(p));
  return [...new Set(files.map(readConfigFile).flatMap((f) => f.contexts.map((c) => c.name)))];
}

export function loadKubeconfig(options: KubeconfigOptions = {}): KubeConnection {
  const env = options.env ?? process.env;
  const paths = configPaths(options, env);
  if (options.kubeconfig && !existsSync(options.kubeconfig)) {
    throw new KubeconfigError(`the kubeconfig file ${options.kubeconfig} does not exist`);
  }
  const files = paths.filter((p) => existsSync(p)).map(readConfigFile);
  if (files.length === 0) {
    if (!options.kubeconfig && env.KUBERNETES_SERVICE_HOST && existsSync(join(IN_CLUSTER_DIR, 'token'))) {
      return inClusterConnection(env, options.namespace);
    }
    throw new KubeconfigError(
      `no kubeconfig found (looked at ${paths.join(', ')}); set KUBECONFIG or pass --kubeconfig`,
    );
  }
  const first = <T>(pick: (f: ConfigFile) => Array<Named<T>>, name: string) => {
    for (const f of files) {
      const hit = pick(f).find((e) => e.name === name);
      if (hit) return hit.value;
    }
    return undefined;
  };
  const contextName = options.context ?? files.find((f) => f.currentContext)?.currentContext;
  if (!contextName) {
    throw new KubeconfigError(
      `the kubeconfig (${files.map((f) => f.path).join(', ')}) has no current-context; pass --context`,
    );
  }
  const context = first((f) => f.contexts, contextName);
  if (!context) {
    const known = [...new Set(files.flatMap((f) => f.contexts.map((c) => c.name)))];
    throw new KubeconfigError(
      `context "${contextName}" is not in the kubeconfig; contexts: ${known.join(', ') || '(none)'}`,
    );
  }
  const cluster = context.cluster ? first((f) => f.clusters, context.cluster) : undefined;
  if (!cluster?.server) {
    throw new KubeconfigError(`context "${contextName}" names no cluster with a server address`);
  }
  const user = (context.user ? first((f) => f.users, context.user) : undefined) ?? {};
  return {
    server: cluster.server.replace(/\/$/, ''),
    namespace: options.namespace ?? context.namespace ?? 'default',
    source: files.map((f) => f.path).join(delimiter),
    contextName,
    authenticate: authenticator(cluster, user, env),
  };
}

function inClusterConnection(env: NodeJS.ProcessEnv, namespace: string | undefined): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const nsFile = join(IN_CLUSTER_DIR, 'namespace');
  return {
    server,
    namespace: namespace ?? (existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : 'default'),
    source: 'in-cluster',
    contextName: 'in-cluster',
    authenticate: authenticator(
      { server, 'certificate-authority': join(IN_CLUSTER_DIR, 'ca.crt') },
      { tokenFile: join(IN_CLUSTER_DIR, 'token') },
      env,
    ),
  };
}

function readConfigFile(path: string): ConfigFile {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(e as Error).message}`);
  }
  const dir = dirname(path);
  const resolve = (p: string | undefined) => (p && !isAbsolute(p) ? join(dir, p) : p);
  const named = <T>(key: string, field: string, fix: (v: T) => T): Array<Named<T>> =>
    (Array.isArray(doc[key]) ? (doc[key] as Array<Record<string, unknown>>) : [])
      .filter((e) => typeof e?.name === 'string')
      .map((e) => ({ name: e.name as string, value: fix((e[field] ?? {}) as T) }));
  return {
    path,
    ...(typeof doc['current-context'] === 'string' && doc['current-context']
      ? { currentContext: doc['current-context'] }
      : {}),
    clusters: named<ClusterEntry>('clusters', 'cluster', (c) => ({
      ...c,
      'certificate-authority': resolve(c['certificate-authority']),
    })),
    users: named<UserEntry>('users', 'user', (u) => ({
      ...u,
      tokenFile: resolve(u.tokenFile),
      'client-certificate': resolve(u['client-certificate']),
      'client-key': resolve(u['client-key']),
      ...(u.exec?.command && !isAbsolute(u.exec.command) && u.exec.command.includes('/')
        ? { exec: { ...u.exec, command: join(dir, u.exec.command) } }
        : {}),
    })),
    contexts: named<ContextEntry>('contexts', 'context', (c) => c),
  };
}

interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expires: number;
}

function authenticator(cluster: ClusterEntry, user: UserEntry, env: NodeJS.ProcessEnv) {
  if (user['auth-provider']) {
    throw new KubeconfigError(
      `the kubeconfig user uses the auth-provider "${user['auth-provider'].name ?? ''}", which kubectl itself no longer supports; use an exec credential plugin (for example kubelogin for OIDC)`,
    );
  }
  const ca = pem(
    cluster['certificate-authority-data'],
    cluster['certificate-authority'],
    'certificate-authority',
  );
  const staticCert = pem(user['client-certificate-data'], user['client-certificate'], 'client-certificate');
  const staticKey = pem(user['client-key-data'], user['client-key'], 'client-key');
  const tls = {
    ...(ca ? { ca } : {}),
    ...(cluster['insecure-skip-tls-verify'] ? { rejectUnauthorized: false } : {}),
    ...(cluster['tls-server-name'] ? { servername: cluster['tls-server-name'] } : {}),
  };
  const impersonation: Record<string, string> = {};
  if (user.as) impersonation['impersonate-user'] = user.as;
  if (user['as-groups']?.length) impersonation['impersonate-group'] = user['as-groups'].join(',');

  const agents = new Map<string, Agent>();
  const agentFor = (cert?: string, key?: string) => {
    const id = `${cert ?? ''}\u0000${key ?? ''}`;
    let agent = agents.get(id);
    if (!agent) {
      agent = new Agent({ connect: { ...tls, ...(cert ? { cert } : {}), ...(key ? { key } : {}) } });
      agents.set(id, agent);
    }
    return agent;
  };

  let fileToken: { value: string; at: number } | undefined;
  let exec: ExecCredential | undefined;
  let pending: Promise<ExecCredential> | undefined;
  return async (): Promise<KubeAuth> => {
    const headers: Record<string, string> = { ...impersonation };
    let cert = staticCert;
    let key = staticKey;
    if (user.exec) {
      if (!exec || exec.expires <= Date.now() + 10_000) {
        pending ??= runExecPlugin(user.exec, cluster, env).finally(() => {
          pending = undefined;
        });
        exec = await pending;
      }
      if (exec.token) headers.authorization = `Bearer ${exec.token}`;
      if (exec.clientCertificateData) cert = exec.clientCertificateData;
      if (exec.clientKeyData) key = exec.clientKeyData;
    } else if (user.token) {
      headers.authorization = `Bearer ${user.token}`;
    } else if (user.tokenFile) {
      if (!fileToken || Date.now() - fileToken.at > TOKEN_FILE_REFRESH_MS) {
        fileToken = { value: readFileSync(user.tokenFile, 'utf8').trim(), at: Date.now() };
      }
      headers.authorization = `Bearer ${fileToken.value}`;
    } else if (user.username !== undefined && user.password !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    }
    return { headers, dispatcher: agentFor(cert, key) };
  };
}

function pem(data: string | undefined, file: string | undefined, what: string): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new KubeconfigError(`cannot read the ${what} file ${file}: ${(e as Error).message}`);
  }
}

/** Runs an exec credential plugin and reads its ExecCredential from stdout. */
function runExecPlugin(
  cfg: ExecConfig,
  cluster: ClusterEntry,
  env: NodeJS.ProcessEnv,
): Promise<ExecCredential> {
  const command = cfg.command ?? '';
  const apiVersion = cfg.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(cfg.provideClusterInfo
        ? {
            cluster: {
              server: cluster.server,
              ...(cluster['certificate-authority-data']
                ? { 'certificate-authority-data': cluster['certificate-authority-data'] }
                : {}),
              ...(cluster['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
            },
          }
        : {}),
    },
  };
  const childEnv: NodeJS.ProcessEnv = { ...env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const e of cfg.env ?? []) childEnv[e.name] = e.value;
  return new Promise((resolve, reject) => {
    execFile(
      command,
      cfg.args ?? [],
      { env: childEnv, timeout: 60_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new KubeconfigError(
              `the credential plugin ${command} failed: ${(stderr || err.message).trim().slice(0, 500)}`,
            ),
          );
          return;
        }
        try {
          const out = JSON.parse(stdout) as {
            status?: {
              token?: string;
              clientCertificateData?: string;
              clientKeyData?: string;
              expirationTimestamp?: string;
            };
          };
          const s = out.status ?? {};
          if (!s.token && !(s.clientCertificateData && s.clientKeyData)) {
            throw new Error('its ExecCredential has neither a token nor a client certificate and key');
          }
          const expires = s.expirationTimestamp
            ? Date.parse(s.expirationTimestamp)
            : Number.POSITIVE_INFINITY;
          resolve({
            ...(s.token ? { token: s.token } : {}),
            ...(s.clientCertificateData ? { clientCertificateData: s.clientCertificateData } : {}),
            ...(s.clientKeyData ? { clientKeyData: s.clientKeyData } : {}),
            expires: Number.isNaN(expires) ? Number.POSITIVE_INFINITY : expires,
          });
        } catch (e) {
          reject(
            new KubeconfigError(
              `the credential plugin ${command} printed no usable ExecCredential: ${(e as Error).message}`,
            ),
          );
        }
      },
    );
  });
}
