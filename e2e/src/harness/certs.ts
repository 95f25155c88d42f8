import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterCerts {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  controllerManagerCert: string;
  controllerManagerKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

/**
 * Generates a throw-away CA, the API server's serving certificate (127.0.0.1,
 * localhost), client certificates for the admin and the controller manager, and
 * the service-account token signing key. All ECDSA P-256, valid for a day.
 */
export async function generateCerts(dir: string): Promise<ClusterCerts> {
  const p = (f: string) => join(dir, f);
  const key = (name: string) =>
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', name], dir);
  await Promise.all([key('ca.key'), key('apiserver.key'), key('admin.key'), key('kcm.key'), key('sa.key')]);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-sha256',
      '-days',
      '1',
      '-subj',
      '/CN=tessera-harness-ca',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  await writeFile(
    p('apiserver.ext'),
    'subjectAltName=IP:127.0.0.1,IP:::1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  await writeFile(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  const sign = async (name: string, subj: string, ext: string) => {
    await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '1',
        '-sha256',
        '-extfile',
        ext,
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
  };
  await sign('apiserver', '/CN=kube-apiserver', 'apiserver.ext');
  await sign('admin', '/O=system:masters/CN=tessera-admin', 'client.ext');
  // The harness runs every controller under one identity, so it gets full rights.
  await sign('kcm', '/O=system:masters/CN=system:kube-controller-manager', 'client.ext');
  await openssl(['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return {
    caCert: p('ca.crt'),
    servingCert: p('apiserver.crt'),
    servingKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    controllerManagerCert: p('kcm.crt'),
    controllerManagerKey: p('kcm.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
  };
}

/** A kubeconfig that authenticates with a client certificate. */
export function kubeconfigYaml(
  server: string,
  caCert: string,
  clientCert: string,
  clientKey: string,
  user: string,
) {
  return `apiVersion: v1
kind: Config
clusters:
- name: tessera-harness
  cluster:
    server: ${server}
    certificate-authority: ${caCert}
users:
- name: ${user}
  user:
    client-certificate: ${clientCert}
    client-key: ${clientKey}
contexts:
- name: tessera-harness
  context:
    cluster: tessera-harness
    user: ${user}
current-context: tessera-harness
`;
}
