/** A pass-through stream that counts the bytes it carries, for the access log. */
import { Transform, type TransformCallback } from 'node:stream';

export class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
