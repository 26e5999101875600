/** Reads the frames a native host wrote, checking each against the browser's limit and the protocol. */
import { FrameDecoder } from '../../protocol/frame-codec.js';
import { HOST_TO_BROWSER_MAX_BYTES, HostMessage } from '../../protocol/native.js';

export class HostOutput {
  readonly messages: HostMessage[] = [];
  readonly problems: string[] = [];
  private readonly decoder = new FrameDecoder(HOST_TO_BROWSER_MAX_BYTES);

  push(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      if (event.kind !== 'message') {
        this.problems.push(`unreadable frame from the host: ${JSON.stringify(event)}`);
        continue;
      }
      const parsed = HostMessage.safeParse(event.value);
      if (parsed.success) this.messages.push(parsed.data);
      else this.problems.push(`frame is not a host message: ${JSON.stringify(event.value).slice(0, 200)}`);
    }
  }

  /** Bytes left over that do not form a whole frame: the host wrote a truncated frame. */
  get trailingBytes(): number {
    return this.decoder.bufferedBytes;
  }

  replyTo(id: string): HostMessage | undefined {
    return this.messages.find((m) => 'id' in m && m.id === id);
  }
}
