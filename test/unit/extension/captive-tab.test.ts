import { describe, expect, it } from 'vitest';
import { CaptiveTab, captiveStep, NO_DETECTION, type CaptiveMemory } from '../../../extension/background/captive-tab.js';
import type { CaptivePortalView } from '../../../protocol/localapi.js';
import { memoryItem } from './memory-item.js';

const NONE: CaptivePortalView = { state: 'none', loginUrl: null, resumesAt: null, detail: '' };
const HOTEL: CaptivePortalView = { state: 'detected', loginUrl: 'http://hotel.example/login', resumesAt: '2030-01-01T12:05:00.000Z', detail: 'The probe was redirected to hotel.example.' };

/** Feeds `portals` to one worker's CaptiveTab in order; returns the tabs it opened. */
async function run(memory: ReturnType<typeof memoryItem<CaptiveMemory>>, ...portals: CaptivePortalView[]): Promise<string[]> {
  const tabs: string[] = [];
  const captive = new CaptiveTab(memory, (url) => void tabs.push(url));
  for (const portal of portals) await captive.onStatus(portal);
  return tabs;
}

describe('captive portal: the sign-in page opens once per detection', () => {
  it('opens the login page when a portal is detected', () => {
    expect(captiveStep(NO_DETECTION, HOTEL)).toEqual({ memory: { detection: 'until:2030-01-01T12:05:00.000Z', opened: true }, open: 'http://hotel.example/login' });
  });

  it('does not open it again for the same detection, however many statuses repeat it', async () => {
    const memory = memoryItem(NO_DETECTION);
    expect(await run(memory, NONE, HOTEL, { ...HOTEL, detail: 'Still redirected.' }, HOTEL)).toEqual(['http://hotel.example/login']);
  });

  it('does not reopen after the worker restarts mid-detection: what was opened is in storage', async () => {
    const memory = memoryItem(NO_DETECTION);
    expect(await run(memory, HOTEL)).toEqual(['http://hotel.example/login']);
    // A new worker: fresh objects, the same storage.
    expect(await run(memory, HOTEL)).toEqual([]);
  });

  it('opens again for a new detection after the portal went away', async () => {
    const memory = memoryItem(NO_DETECTION);
    expect(await run(memory, HOTEL, NONE, HOTEL)).toEqual(['http://hotel.example/login', 'http://hotel.example/login']);
    expect(memory.value).toEqual({ detection: 'until:2030-01-01T12:05:00.000Z', opened: true });
  });

  it('tells a new detection by its new pause even when the worker slept through the `none` between them', async () => {
    const memory = memoryItem(NO_DETECTION);
    await run(memory, HOTEL);
    expect(await run(memory, { ...HOTEL, resumesAt: '2030-01-01T18:00:00.000Z' })).toEqual(['http://hotel.example/login']);
  });

  it('without a pause end, tells detections apart by their login URL', () => {
    const noEnd = { ...HOTEL, resumesAt: null };
    const first = captiveStep(NO_DETECTION, noEnd);
    expect(first.open).toBe('http://hotel.example/login');
    expect(captiveStep(first.memory, noEnd).open).toBeNull();
    expect(captiveStep(first.memory, { ...noEnd, loginUrl: 'https://cafe.example/' }).open).toBe('https://cafe.example/');
  });

  it('opens nothing without a login URL, and opens it once it arrives within the same detection', async () => {
    const memory = memoryItem(NO_DETECTION);
    expect(await run(memory, { ...HOTEL, loginUrl: null })).toEqual([]);
    expect(memory.value).toEqual({ detection: 'until:2030-01-01T12:05:00.000Z', opened: false });
    expect(await run(memory, HOTEL)).toEqual(['http://hotel.example/login']);
  });

  it('never opens a login URL that is not a web page', async () => {
    for (const loginUrl of ['javascript:alert(1)', 'data:text/html,<b>hi</b>', 'file:///etc/passwd', 'chrome://settings', 'not a url']) {
      expect(await run(memoryItem(NO_DETECTION), { ...HOTEL, loginUrl })).toEqual([]);
    }
  });

  it('does not write storage for statuses that change nothing', async () => {
    const memory = memoryItem(NO_DETECTION);
    await run(memory, NONE, NONE, HOTEL, HOTEL, HOTEL);
    expect(memory.writes).toBe(1);
  });

  it('forgets the detection once no portal is reported', () => {
    expect(captiveStep({ detection: 'until:x', opened: true }, NONE)).toEqual({ memory: NO_DETECTION, open: null });
  });
});
