import { describe, expect, it } from 'vitest';
import { browserName, deviceName, platformName } from '../../client/web/src/lib/device-name.ts';

// Real user-agent strings of current browsers.
const UA = {
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  headlessLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36',
  chromiumUbuntu: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/83.0.4103.61 Chrome/83.0.4103.61 Safari/537.36',
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
  operaMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  firefoxLinux: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  safariIpad: 'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
  chromeIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
  firefoxIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  samsungAndroid: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  chromeOs: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
};

describe('device name from the user agent', () => {
  it('names browser and platform of common user agents', () => {
    expect(deviceName(UA.chromeLinux)).toBe('Chrome on Linux');
    expect(deviceName(UA.headlessLinux)).toBe('Chrome on Linux');
    expect(deviceName(UA.chromiumUbuntu)).toBe('Chromium on Linux');
    expect(deviceName(UA.chromeWindows)).toBe('Chrome on Windows');
    expect(deviceName(UA.edgeWindows)).toBe('Edge on Windows');
    expect(deviceName(UA.operaMac)).toBe('Opera on macOS');
    expect(deviceName(UA.firefoxWindows)).toBe('Firefox on Windows');
    expect(deviceName(UA.firefoxLinux)).toBe('Firefox on Linux');
    expect(deviceName(UA.safariMac)).toBe('Safari on macOS');
    expect(deviceName(UA.safariIphone)).toBe('Safari on iPhone');
    expect(deviceName(UA.safariIpad)).toBe('Safari on iPad');
    expect(deviceName(UA.chromeIphone)).toBe('Chrome on iPhone');
    expect(deviceName(UA.firefoxIphone)).toBe('Firefox on iPhone');
    expect(deviceName(UA.chromeAndroid)).toBe('Chrome on Android');
    expect(deviceName(UA.samsungAndroid)).toBe('Samsung Internet on Android');
    expect(deviceName(UA.chromeOs)).toBe('Chrome on ChromeOS');
  });

  it('does not take browsers that also say "Chrome" or "Safari" for Chrome or Safari', () => {
    // Edge, Opera and Samsung Internet carry "Chrome/…"; Chrome and Firefox on iOS carry "Safari/…".
    expect(browserName(UA.edgeWindows)).not.toBe('Chrome');
    expect(browserName(UA.operaMac)).not.toBe('Chrome');
    expect(browserName(UA.samsungAndroid)).not.toBe('Chrome');
    expect(browserName(UA.chromeIphone)).not.toBe('Safari');
    expect(browserName(UA.firefoxIphone)).not.toBe('Safari');
    // Android and ChromeOS user agents also say "Linux" or "X11"; iOS ones say "like Mac OS X".
    expect(platformName(UA.chromeAndroid)).toBe('Android');
    expect(platformName(UA.chromeOs)).toBe('ChromeOS');
    expect(platformName(UA.safariIphone)).toBe('iPhone');
  });

  it('falls back to what it knows, and never returns an empty name', () => {
    expect(deviceName('Mozilla/5.0 (X11; Linux x86_64) SomeBrowser/1.0')).toBe('Browser on Linux');
    expect(deviceName('Mozilla/5.0 (Plan 9) Firefox/133.0')).toBe('Firefox');
    expect(deviceName('')).toBe('Web browser');
    expect(deviceName('curl/8.5.0')).toBe('Web browser');
  });

  it('stays within the server’s 100-character limit whatever the user agent says', () => {
    const hostile = `${'Windows Firefox/1 '.repeat(500)}iPhone`;
    const name = deviceName(hostile);
    expect(name.length).toBeGreaterThan(0);
    expect(name.length).toBeLessThanOrEqual(100);
  });
});
