/** The ceiling: no tunnel, the edge namespace just forwards between its two veths. */
import { run } from '../../test/support/netns.js';
import { EDGE_CLIENT_SIDE, SERVER_NET } from './topology.js';
import type { Variant } from './variant.js';

export const directVeth: Variant = {
  name: 'direct veth',
  async start({ client }) {
    await run(['ip', '-n', client, 'route', 'add', SERVER_NET, 'via', EDGE_CLIENT_SIDE]);
    return { processes: [], notes: ['kernel forwarding only (ip_forward in the edge namespace), veth MTU 1500'], stop: () => Promise.resolve() };
  },
};
