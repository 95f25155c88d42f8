// Privacy scopes: which wx APIs need the user's consent, what the user decided (remembered per
// mini-program and user, outside the mini-program's own storage), and the wx.authorize,
// wx.getSetting and wx.openSetting flows. A mini-program may only ask for the scopes its
// MiniProgram declares (spec.privacyScopes, with the purpose shown to the user); anything else
// is refused without asking.
import type { PrivacyScope } from '../protocol/launch.ts';
import type { KeyValueBackend } from './storage.ts';

/** WeChat's scope names → the platform's (MiniProgram.spec.privacyScopes). */
const PLATFORM_SCOPE: Record<string, string> = {
  'scope.userInfo': 'userInfo',
  'scope.userLocation': 'userLocation',
  'scope.userFuzzyLocation': 'userLocation',
  'scope.camera': 'camera',
  'scope.writePhotosAlbum': 'album',
  'scope.record': 'record',
  'scope.bluetooth': 'bluetooth',
  'scope.addPhoneContact': 'contacts',
  'scope.werun': 'werun',
  // Tessera's own: WeChat asks for these through buttons or not at all
  'scope.phoneNumber': 'phoneNumber',
  'scope.clipboard': 'clipboard',
};
const WX_SCOPE: Record<string, string> = {
  userInfo: 'scope.userInfo',
  userLocation: 'scope.userLocation',
  camera: 'scope.camera',
  album: 'scope.writePhotosAlbum',
  record: 'scope.record',
  bluetooth: 'scope.bluetooth',
  contacts: 'scope.addPhoneContact',
  werun: 'scope.werun',
  phoneNumber: 'scope.phoneNumber',
  clipboard: 'scope.clipboard',
};

export { API_SCOPES } from './api-scopes.ts';

export interface ConsentRequest {
  appId: string;
  /** the platform scope, e.g. userLocation */
  scope: string;
  /** the purpose the MiniProgram declared for it */
  purpose: string;
}

/** Asks the user; resolves true to allow. The web SDK draws a dialog unless the host gives its own. */
export type ConsentPrompt = (req: ConsentRequest) => Promise<boolean>;

/** The settings page of wx.openSetting: the declared scopes and what the user decided; resolves to the new decisions. */
export type ConsentSettings = (req: {
  appId: string;
  scopes: Array<ConsentRequest & { granted: boolean | undefined }>;
}) => Promise<Record<string, boolean>>;

export class ConsentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsentError';
  }
}

export interface ConsentOptions {
  appId: string;
  userId: string | undefined;
  declared: readonly PrivacyScope[];
  backend: KeyValueBackend;
  prompt?: ConsentPrompt | undefined;
  settings?: ConsentSettings | undefined;
}

export function consentKey(appId: string, userId: string | undefined): string {
  return `tessera:consent:v1:${encodeURIComponent(appId)}:${encodeURIComponent(userId ?? '')}`;
}

export class Consent {
  readonly #o: ConsentOptions;
  readonly #declared: Map<string, string>;
  /** One prompt per scope at a time: concurrent asks share the answer. */
  readonly #asking = new Map<string, Promise<boolean>>();

  constructor(o: ConsentOptions) {
    this.#o = o;
    this.#declared = new Map(o.declared.map((s) => [s.scope, s.purpose]));
  }

  /** What the user decided, by platform scope (undecided scopes are absent). */
  decisions(): Record<string, boolean> {
    const raw = this.#o.backend.get(consentKey(this.#o.appId, this.#o.userId));
    if (!raw) return {};
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(parsed).filter(
          (e): e is [string, boolean] => typeof e[1] === 'boolean' && this.#declared.has(e[0]),
        ),
      );
    } catch {
      return {};
    }
  }

  #remember(scope: string, granted: boolean): void {
    const next = { ...this.decisions(), [scope]: granted };
    this.#o.backend.set(consentKey(this.#o.appId, this.#o.userId), JSON.stringify(next));
  }

  /** wx.getSetting's authSetting: WeChat scope names → decision. */
  authSetting(): Record<string, boolean> {
    return Object.fromEntries(
      Object.entries(this.decisions()).map(([scope, granted]) => [
        WX_SCOPE[scope] ?? `scope.${scope}`,
        granted,
      ]),
    );
  }

  /** wx.authorize: asks once; a decision stands until wx.openSetting changes it. */
  async authorize(wxScope: string): Promise<void> {
    const scope = PLATFORM_SCOPE[wxScope];
    if (!scope) throw new ConsentError(`${JSON.stringify(wxScope)} is not a scope (e.g. scope.userLocation)`);
    await this.require(scope);
  }

  /** Resolves when the user allows `scope` (asking if they have not decided); throws otherwise. */
  async require(scope: string): Promise<void> {
    const purpose = this.#declared.get(scope);
    if (purpose === undefined)
      throw new ConsentError(
        `scope ${WX_SCOPE[scope] ?? scope} is not declared by ${this.#o.appId}; add it to its MiniProgram spec.privacyScopes with a purpose`,
      );
    const decided = this.decisions()[scope];
    if (decided === true) return;
    if (decided === false) throw new ConsentError('auth deny');
    let asking = this.#asking.get(scope);
    if (!asking) {
      const prompt = this.#o.prompt;
      if (!prompt) throw new ConsentError('auth deny: the host app has no consent prompt');
      asking = prompt({ appId: this.#o.appId, scope, purpose }).then(
        (granted) => {
          this.#remember(scope, granted === true);
          return granted === true;
        },
        () => false,
      );
      this.#asking.set(scope, asking);
      asking.finally(() => this.#asking.delete(scope)).catch(() => {});
    }
    if (!(await asking)) throw new ConsentError('auth deny');
  }

  /** wx.openSetting: the user reviews and changes decisions; resolves to the new authSetting. */
  async openSetting(): Promise<Record<string, boolean>> {
    const settings = this.#o.settings;
    if (!settings) throw new ConsentError('the host app has no settings page');
    const decided = this.decisions();
    const scopes = [...this.#declared].map(([scope, purpose]) => ({
      appId: this.#o.appId,
      scope,
      purpose,
      granted: decided[scope],
    }));
    const changed = await settings({ appId: this.#o.appId, scopes });
    for (const [scope, granted] of Object.entries(changed ?? {}))
      if (this.#declared.has(scope) && typeof granted === 'boolean') this.#remember(scope, granted);
    return this.authSetting();
  }
}
