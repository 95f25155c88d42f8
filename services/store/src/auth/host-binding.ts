// Binds host-app credentials to where the host app runs (HostApp.spec.platforms, from the
// operator's signed host-app index):
//
//  - browsers: a request with an Origin header is accepted only from one of the host app's
//    web origins (CORS answers name that origin, never `*`). This holds against other web pages
//    using leaked credentials or session tokens, since browsers set Origin themselves;
//  - native apps: a launch that says it comes from ios / android / harmony / desktop must name
//    the application id the HostApp declares for that platform (`hostBundleId`). This is a WEAK
//    binding: any program holding the credentials can send the right id. Installations that
//    need more plug in a PlatformAttestationVerifier (Apple App Attest, Google Play Integrity,
//    HarmonyOS attestation), which is then asked for every native launch with the launch's
//    `attestation` token.
//
// Requests without Origin and without a native platform (server-side and Node hosts) are bound
// by the credentials alone.

import type { IncomingMessage } from 'node:http';
import type { StoreContext } from '../context.ts';
import { HttpProblem } from '../http/problem.ts';
import { NATIVE_PLATFORMS, type NativePlatform, normalizeOrigin } from '../release/state.ts';
import type { HostAppPrincipal } from './hostapp.ts';

export interface AttestationInput {
  tenant: string;
  namespace: string;
  hostApp: string;
  platform: NativePlatform;
  /** the application id the HostApp declares for the platform (already checked) */
  appId: string;
  /** the launch's `attestation` field; undefined when the host sent none */
  token: string | undefined;
  /** hex SHA-256 of the request body, for verifiers that bind the token to the request */
  requestSha256: string;
}

/** Checks a platform attestation token (App Attest, Play Integrity, …); supplied by the installation. */
export interface PlatformAttestationVerifier {
  verify(input: AttestationInput): Promise<{ ok: true } | { ok: false; reason: string }>;
}

const forbidden = (code: string, detail: string) => new HttpProblem(403, code, detail);

/** Refuses a browser request whose Origin is not one of the host app's web origins. */
export function checkOrigin(ctx: StoreContext, req: IncomingMessage, who: HostAppPrincipal): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const binding = ctx.state.binding(who.namespace, who.hostApp);
  const where = `HostApp ${who.namespace}/${who.hostApp}`;
  if (!binding) {
    throw forbidden(
      'host-binding-unknown',
      `the store has not received the signed release index of ${where} yet, so it cannot check the origin ${origin}; retry shortly`,
    );
  }
  const normalized = normalizeOrigin(origin);
  if (normalized === undefined || !binding.webOrigins.has(normalized)) {
    throw forbidden(
      'origin-not-allowed',
      `origin ${origin} is not one of the web origins of ${where}; add it to spec.platforms.web.origins`,
    );
  }
}

const isNative = (p: string | undefined): p is NativePlatform =>
  (NATIVE_PLATFORMS as readonly string[]).includes(p ?? '');

/** Refuses a native launch whose application id (or attestation, when verified) does not match the HostApp. */
export async function checkNativeIdentity(
  ctx: StoreContext,
  who: HostAppPrincipal,
  launch: {
    platform?: string | undefined;
    hostBundleId?: string | undefined;
    attestation?: string | undefined;
  },
  requestSha256: () => string,
): Promise<void> {
  const where = `HostApp ${who.namespace}/${who.hostApp}`;
  if (!isNative(launch.platform)) {
    if (launch.hostBundleId !== undefined)
      throw forbidden(
        'host-identity-mismatch',
        `hostBundleId is only meaningful with platform ${NATIVE_PLATFORMS.join(', ')}; the launch says ${launch.platform ?? 'nothing'}`,
      );
    return;
  }
  const binding = ctx.state.binding(who.namespace, who.hostApp);
  if (!binding) {
    throw forbidden(
      'host-binding-unknown',
      `the store has not received the signed release index of ${where} yet; retry shortly`,
    );
  }
  const declared = binding.nativeIds[launch.platform];
  if (declared === undefined) {
    throw forbidden(
      'platform-not-declared',
      `${where} does not declare the platform ${launch.platform}; add spec.platforms.${launch.platform}`,
    );
  }
  if (launch.hostBundleId !== declared) {
    throw forbidden(
      'host-identity-mismatch',
      launch.hostBundleId === undefined
        ? `a ${launch.platform} launch must send hostBundleId (the application id ${where} declares for ${launch.platform})`
        : `hostBundleId ${launch.hostBundleId} is not the ${launch.platform} application id ${where} declares`,
    );
  }
  if (!ctx.attestation) return;
  const verdict = await ctx.attestation.verify({
    tenant: who.tenant,
    namespace: who.namespace,
    hostApp: who.hostApp,
    platform: launch.platform,
    appId: declared,
    token: launch.attestation,
    requestSha256: requestSha256(),
  });
  if (!verdict.ok) {
    throw forbidden(
      'attestation-failed',
      `the ${launch.platform} platform attestation was refused: ${verdict.reason}`,
    );
  }
}
