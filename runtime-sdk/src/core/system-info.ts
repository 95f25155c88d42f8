// What wx.getSystemInfoSync and its successors (getWindowInfo, getAppBaseInfo, getDeviceInfo,
// getSystemSetting) and wx.getMenuButtonBoundingClientRect answer, built once per launch from
// what the host knows; the logic realm picks each API's fields from it.

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}

export interface HostFacts {
  platform: string;
  /** the area the mini-program is given (its "screen") and the part its pages get (its "window") */
  screen: { width: number; height: number };
  window: { width: number; height: number };
  pixelRatio: number;
  language: string;
  theme: 'light' | 'dark';
  /** e.g. the browser's or Node's name and version */
  system: string;
  /** the capsule (more/close) in screen coordinates */
  menuButton: Rect;
  /** whether the host can answer wx.getLocation at all */
  locationEnabled: boolean;
}

export const SDK_VERSION = '0.1.0';

export type SystemInfo = ReturnType<typeof systemInfo>;

export function systemInfo(f: HostFacts) {
  const { width, height } = f.screen;
  return {
    brand: f.platform,
    model: f.platform,
    system: f.system,
    platform: f.platform,
    pixelRatio: f.pixelRatio,
    screenWidth: width,
    screenHeight: height,
    windowWidth: f.window.width,
    windowHeight: f.window.height,
    // the host draws no status bar: the mini-program's screen starts below the host's own
    statusBarHeight: 0,
    screenTop: height - f.window.height,
    safeArea: { left: 0, top: 0, right: width, bottom: height, width, height },
    language: f.language,
    version: SDK_VERSION,
    SDKVersion: SDK_VERSION,
    fontSizeSetting: 16,
    theme: f.theme,
    deviceOrientation: width > height ? 'landscape' : 'portrait',
    benchmarkLevel: -1,
    enableDebug: false,
    locationEnabled: f.locationEnabled,
    // no host gives a mini-program its radios
    bluetoothEnabled: false,
    wifiEnabled: false,
    menuButton: f.menuButton,
  };
}

/** Each API's fields of SystemInfo (getSystemInfoSync answers all but the menu button). */
export const SYSTEM_INFO_GROUPS = {
  getWindowInfo: [
    'pixelRatio',
    'screenWidth',
    'screenHeight',
    'windowWidth',
    'windowHeight',
    'statusBarHeight',
    'safeArea',
    'screenTop',
  ],
  getAppBaseInfo: ['SDKVersion', 'enableDebug', 'language', 'version', 'theme', 'fontSizeSetting'],
  getDeviceInfo: ['brand', 'model', 'system', 'platform', 'benchmarkLevel'],
  getSystemSetting: ['deviceOrientation', 'locationEnabled', 'bluetoothEnabled', 'wifiEnabled'],
} as const;

/** Where the web host draws its capsule: 8 px from the right, 6 px from the top, 83 × 32 with its border. */
export function capsuleRect(screenWidth: number): Rect {
  const right = screenWidth - 8;
  return { left: right - 83, top: 6, right, bottom: 38, width: 83, height: 32 };
}
