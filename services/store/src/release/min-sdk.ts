// MiniProgramVersion.spec.minSdkVersion: the store never offers a version to an SDK older than
// that. A device that does not say its SDK version runs only versions without a minimum.
import { compareSemver, parseSemver } from '@tessera/gray';

export function sdkSatisfies(minSdkVersion: string | undefined, sdkVersion: string | undefined): boolean {
  if (!minSdkVersion) return true;
  const min = parseSemver(minSdkVersion);
  const sdk = sdkVersion ? parseSemver(sdkVersion) : null;
  return min !== null && sdk !== null && compareSemver(sdk, min) >= 0;
}
