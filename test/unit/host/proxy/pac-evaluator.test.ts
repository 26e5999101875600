/** `waygate explain`'s PAC run: the script's answer for a URL, lookups only for names it asks about. */
import { describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../protocol/errors.js';
import { DEFAULT_PAC } from '../../../../protocol/policy.js';
import { evaluatePac } from '../../../../host/proxy/pac-evaluator.js';

describe('evaluatePac', () => {
  it('answers as the script does, for the URL and host it is given', async () => {
    expect(await evaluatePac('function FindProxyForURL(url, host) { return "PROXY " + host + ":1; DIRECT"; }', 'http://printer/x')).toBe('PROXY printer:1; DIRECT');
  });

  it('runs the default PAC: private addresses and plain names direct, the rest to the edge', async () => {
    const pac = DEFAULT_PAC.replaceAll('${EDGE}', 'HTTPS edge.test:443').replaceAll('${SECONDARY_EDGE}', 'HTTPS edge2.test:443');
    expect(await evaluatePac(pac, 'http://10.1.2.3/')).toBe('DIRECT');
    expect(await evaluatePac(pac, 'http://printer/')).toBe('DIRECT');
    expect(await evaluatePac(pac, 'http://198.51.100.7/')).toBe('HTTPS edge.test:443; HTTPS edge2.test:443');
  });

  it('resolves a name the script asks for, then answers with it', async () => {
    expect(await evaluatePac('function FindProxyForURL(url, host) { return "DIRECT " + dnsResolve("localhost"); }', 'http://a.test/')).toBe('DIRECT 127.0.0.1');
  });

  it('turns a broken script into a BAD_REQUEST error that says why', async () => {
    await expect(evaluatePac('function FindProxyForURL(url, host) { throw new Error("nope"); }', 'http://a.test/')).rejects.toThrow(WaygateError);
    await expect(evaluatePac('function FindProxyForURL(url, host) { for (;;) {} }', 'http://a.test/')).rejects.toThrow(/could not be evaluated.*interrupted/);
  });
});
