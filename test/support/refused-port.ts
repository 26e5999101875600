/**
 * A loopback port that refuses connections, for tests of "the destination is not there".
 *
 * Closing a server and reusing its port races with every other test on the machine: the kernel
 * hands the freed ephemeral port to the next `listen(0)`, and the test then talks to a stranger
 * (a CI run once got another suite's proxy answering 407). Port 1 (tcpmux) is privileged and never
 * in the ephemeral range, and nothing in this project or on a CI machine binds it.
 */
export const REFUSED_PORT = 1;
