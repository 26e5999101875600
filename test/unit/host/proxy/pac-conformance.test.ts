/**
 * PAC helper conformance, run the way the local proxy runs them: a script in the sandbox (worker
 * thread, QuickJS), with the clock, zone, own address and resolver injected. The clock stands at
 * Wednesday 2024-01-03 10:30:15 UTC; local time is UTC+1 (11:30:15).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { PacEnvironment } from '../../../../host/proxy/pac-functions.js';
import { PacSandbox } from '../../../../host/proxy/pac-sandbox.js';

const ENV: PacEnvironment = { now: Date.UTC(2024, 0, 3, 10, 30, 15), timezoneOffset: -60, myAddress: '192.0.2.7' };
const HOSTS: Record<string, string> = { 'intranet.corp.test': '10.1.2.3', 'www.corp.test': '198.51.100.20' };
const lookups: string[] = [];

const sandbox = new PacSandbox({
  timeoutMs: 5_000,
  resolve: (host) => {
    lookups.push(host);
    return Promise.resolve(HOSTS[host] ?? null);
  },
});
afterAll(() => sandbox.close());

/** What `expression` evaluates to inside FindProxyForURL(url, host), as a string. */
async function pac(expression: string, url = 'http://www.corp.test/', env = ENV): Promise<string> {
  sandbox.setScript(`function FindProxyForURL(url, host) { return String(${expression}); }`);
  return sandbox.evaluate(url, new URL(url).hostname, env);
}

describe('PAC conformance: host name helpers', { timeout: 30_000 }, () => {
  it.each([
    ['dnsDomainIs("www.netscape.com", ".netscape.com")', 'true'],
    ['dnsDomainIs("www", ".netscape.com")', 'false'],
    ['dnsDomainIs("www.mcom.com", ".netscape.com")', 'false'],
    ['dnsDomainIs(host, ".corp.test")', 'true'],
    ['isPlainHostName("www")', 'true'],
    ['isPlainHostName("www.netscape.com")', 'false'],
    ['isPlainHostName(host)', 'false'],
    ['localHostOrDomainIs("www.netscape.com", "www.netscape.com")', 'true'],
    ['localHostOrDomainIs("www", "www.netscape.com")', 'true'],
    ['localHostOrDomainIs("www.mcom.com", "www.netscape.com")', 'false'],
    ['localHostOrDomainIs("home.netscape.com", "www.netscape.com")', 'false'],
    ['dnsDomainLevels("www")', '0'],
    ['dnsDomainLevels("www.netscape.com")', '2'],
    ['shExpMatch("http://home.netscape.com/people/ari/index.html", "*/ari/*")', 'true'],
    ['shExpMatch("http://home.netscape.com/people/montulli/index.html", "*/ari/*")', 'false'],
    ['shExpMatch("www.corp.test", "*.corp.test")', 'true'],
    ['shExpMatch("corp.test", "*.corp.test")', 'false'],
    ['shExpMatch("abc", "a?c")', 'true'],
    ['shExpMatch("abbc", "a?c")', 'false'],
    // Only * and ? are special: regular-expression syntax is matched literally.
    ['shExpMatch("aaa", "a+")', 'false'],
    ['shExpMatch("a+", "a+")', 'true'],
    ['shExpMatch("x.y", "x?y")', 'true'],
    ['shExpMatch("xzy", "x.y")', 'false'],
  ])('%s → %s', async (expression, expected) => {
    expect(await pac(expression)).toBe(expected);
  });
});

describe('PAC conformance: name resolution and addresses (injected resolver, no network)', { timeout: 30_000 }, () => {
  it.each([
    ['isResolvable("www.corp.test")', 'true'],
    ['isResolvable("nowhere.test")', 'false'],
    ['dnsResolve("intranet.corp.test")', '10.1.2.3'],
    ['dnsResolve("nowhere.test")', 'null'],
    ['isInNet("intranet.corp.test", "10.0.0.0", "255.0.0.0")', 'true'],
    ['isInNet(host, "10.0.0.0", "255.0.0.0")', 'false'],
    ['isInNet("198.51.100.20", "198.51.100.0", "255.255.255.0")', 'true'],
    ['isInNet("198.51.101.20", "198.51.100.0", "255.255.255.0")', 'false'],
    ['isInNet("nowhere.test", "0.0.0.0", "0.0.0.0")', 'false'],
    ['isInNet("10.1.2.3", "not-an-ip", "255.0.0.0")', 'false'],
    ['myIpAddress()', '192.0.2.7'],
    ['isInNet(myIpAddress(), "192.0.2.0", "255.255.255.0")', 'true'],
    // Lookups nested in another call's arguments (pac-resolver's async rewrite got these wrong).
    ['shExpMatch(dnsResolve(host), "198.51.*")', 'true'],
    ['[isResolvable(host), isInNet(dnsResolve("intranet.corp.test"), "10.0.0.0", "255.0.0.0")].join()', 'true,true'],
  ])('%s → %s', async (expression, expected) => {
    expect(await pac(expression)).toBe(expected);
  });

  it('resolves only through the injected resolver, and an IP literal not at all', async () => {
    lookups.length = 0;
    await pac('dnsResolve("www.corp.test") + isInNet("10.0.0.1", "10.0.0.0", "255.0.0.0")');
    expect(lookups).toEqual(['www.corp.test']);
  });
});

describe('PAC conformance: weekdayRange, dateRange, timeRange under a fixed clock', { timeout: 30_000 }, () => {
  it.each([
    ['weekdayRange("WED")', 'true'],
    ['weekdayRange("TUE")', 'false'],
    ['weekdayRange("MON", "FRI")', 'true'],
    ['weekdayRange("THU", "SUN")', 'false'],
    ['weekdayRange("SAT", "WED")', 'true'],
    ['weekdayRange("WED", "GMT")', 'true'],
    ['weekdayRange("MON", "TUE", "GMT")', 'false'],
    ['weekdayRange("XYZ")', 'false'],
    ['dateRange(3)', 'true'],
    ['dateRange(4)', 'false'],
    ['dateRange("JAN")', 'true'],
    ['dateRange("FEB")', 'false'],
    ['dateRange(2024)', 'true'],
    ['dateRange(2023)', 'false'],
    ['dateRange(1, 15)', 'true'],
    ['dateRange(10, 20)', 'false'],
    ['dateRange("DEC", "FEB")', 'true'],
    ['dateRange("FEB", "NOV")', 'false'],
    ['dateRange(2020, 2025)', 'true'],
    ['dateRange(1, "JAN", 5, "JAN")', 'true'],
    ['dateRange(4, "JAN", 5, "FEB")', 'false'],
    ['dateRange("NOV", 2023, "FEB", 2024)', 'true'],
    ['dateRange(1, "JAN", 2024, 2, "JAN", 2024)', 'false'],
    ['dateRange(3, "JAN", 2024, 3, "JAN", 2024, "GMT")', 'true'],
    ['dateRange("JAN", 1, 2)', 'false'],
    ['timeRange(11)', 'true'],
    ['timeRange(10)', 'false'],
    ['timeRange(10, "GMT")', 'true'],
    ['timeRange(9, 17)', 'true'],
    ['timeRange(12, 17)', 'false'],
    ['timeRange(11, 12)', 'true'],
    ['timeRange(10, 11)', 'false'],
    ['timeRange(22, 12)', 'true'],
    ['timeRange(11, 30, 11, 31)', 'true'],
    ['timeRange(11, 31, 12, 0)', 'false'],
    ['timeRange(11, 30, 15, 11, 30, 15)', 'true'],
    ['timeRange(11, 30, 16, 11, 30, 59)', 'false'],
    ['timeRange(10, 0, 0, 10, 59, 59, "GMT")', 'true'],
  ])('%s → %s', async (expression, expected) => {
    expect(await pac(expression)).toBe(expected);
  });

  it('gives the script the same clock: new Date() and Date.now() read the injected instant and zone', async () => {
    expect(await pac('new Date().toISOString() + " " + Date.now() + " " + new Date().getHours() + " " + new Date().getTimezoneOffset()')).toBe(
      `2024-01-03T10:30:15.000Z ${ENV.now} 11 -60`,
    );
  });

  it('moves with the clock it is given', async () => {
    const saturdayNight = { ...ENV, now: Date.UTC(2024, 5, 29, 23, 30) };
    expect(await pac('[weekdayRange("SUN"), weekdayRange("SAT", "GMT"), dateRange("JUN", "GMT"), dateRange("JUL"), timeRange(0), timeRange(23, "GMT")].join()', undefined, saturdayNight)).toBe(
      'true,true,true,false,true,true',
    );
  });
});
