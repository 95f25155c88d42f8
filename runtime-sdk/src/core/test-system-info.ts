import { capsuleRect, systemInfo } from './system-info.ts';

/** The system info unit tests boot their logic realms with: a 375×667 phone, dark theme. */
export const TEST_SYSTEM_INFO = systemInfo({
  platform: 'test',
  screen: { width: 375, height: 667 },
  window: { width: 375, height: 579 },
  pixelRatio: 2,
  language: 'zh_CN',
  theme: 'dark',
  system: 'test 1.0',
  menuButton: capsuleRect(375),
  locationEnabled: true,
});
