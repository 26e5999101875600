/**
 * A session's remembered policy verdicts, so that only the first packet of a flow pays for
 * `decideDestination` (rule matching, CIDR parsing, the SSRF guard) and every later one is a Map
 * lookup. Keyed by exactly what the verdict depends on besides the rules and the person: the
 * destination address and port. The IP protocol is not part of the key because the access rules do
 * not look at it: an ICMP echo and a TCP SYN to the same address and port get the same answer.
 *
 * Bounded: a device scanning the internet would otherwise grow the map without end. When full, the
 * oldest entry goes (Map keeps insertion order), which costs one iterator step.
 * The owner clears it when the rules or the person's groups change.
 */
const PORTS = 0x1_0000;

export class FlowVerdicts {
  private readonly verdicts = new Map<number, boolean>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('A verdict cache holds at least one flow.');
  }

  get size(): number {
    return this.verdicts.size;
  }

  /** The verdict for IPv4 `destination` (unsigned 32-bit) and `port` (0 when the protocol has none). */
  get(destination: number, port: number): boolean | undefined {
    return this.verdicts.get(destination * PORTS + port);
  }

  set(destination: number, port: number, allowed: boolean): void {
    const key = destination * PORTS + port;
    if (!this.verdicts.has(key) && this.verdicts.size >= this.capacity) {
      const oldest = this.verdicts.keys().next();
      if (oldest.done !== true) this.verdicts.delete(oldest.value);
    }
    this.verdicts.set(key, allowed);
  }

  clear(): void {
    this.verdicts.clear();
  }
}
