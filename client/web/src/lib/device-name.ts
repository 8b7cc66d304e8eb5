/**
 * What an officer reads in their device list for this browser ("Chrome on Linux", "Safari on iPhone"),
 * from a user-agent string. Best effort: user agents can lie and iPadOS Safari says "Macintosh"; the name
 * is a label for people, never a security decision.
 */

/** The browser family; order matters (Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari"). */
export function browserName(userAgent: string): string | null {
  const ua = userAgent;
  if (/\bEdg(?:e|A|iOS)?\//.test(ua)) return 'Edge';
  if (/\bOPR\/|\bOpera\b/.test(ua)) return 'Opera';
  if (/\bSamsungBrowser\//.test(ua)) return 'Samsung Internet';
  if (/\b(?:Firefox|FxiOS)\//.test(ua)) return 'Firefox';
  if (/\bChromium\//.test(ua)) return 'Chromium';
  if (/\b(?:Headless)?Chrome\/|\bCriOS\//.test(ua)) return 'Chrome';
  if (/\bSafari\//.test(ua) && /\bAppleWebKit\//.test(ua)) return 'Safari';
  return null;
}

/** The operating system or device kind; Android and ChromeOS before Linux, iOS devices before macOS. */
export function platformName(userAgent: string): string | null {
  const ua = userAgent;
  if (/\biPhone\b/.test(ua)) return 'iPhone';
  if (/\biPad\b/.test(ua)) return 'iPad';
  if (/\biPod\b/.test(ua)) return 'iPod';
  if (/\bAndroid\b/.test(ua)) return 'Android';
  if (/\bCrOS\b/.test(ua)) return 'ChromeOS';
  if (/\bWindows\b/.test(ua)) return 'Windows';
  if (/\bMacintosh\b|\bMac OS X\b/.test(ua)) return 'macOS';
  if (/\bLinux\b/.test(ua)) return 'Linux';
  return null;
}

/** "Firefox on Windows"; "Firefox" or "Browser on Linux" when one half is unknown; "Web browser" when both are. */
export function deviceName(userAgent: string): string {
  const browser = browserName(userAgent);
  const platform = platformName(userAgent);
  if (browser && platform) return `${browser} on ${platform}`;
  if (browser) return browser;
  if (platform) return `Browser on ${platform}`;
  return 'Web browser';
}
