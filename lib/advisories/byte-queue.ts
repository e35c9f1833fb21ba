/**
 * Bytes pulled on demand from an async stream of chunks, for parsers that need to look
 * a few bytes ahead. Chunks are kept as a list and copied only when a read spans two of
 * them, so buffering a large entry costs one copy, not one per chunk.
 */
export class ByteQueue {
  readonly #source: AsyncIterator<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #length = 0;
  #consumed = 0;
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Number of buffered bytes. */
  get length(): number {
    return this.#length;
  }

  /** Offset of the next unread byte in the whole stream. */
  get position(): number {
    return this.#consumed;
  }

  /** Pulls chunks until `count` bytes are buffered. Returns false when the stream ends first. */
  async fill(count: number): Promise<boolean> {
    while (this.#length < count) {
      if (!(await this.pull())) return false;
    }
    return true;
  }

  /** Pulls one more non-empty chunk. Returns false when the stream has ended. */
  async pull(): Promise<boolean> {
    while (!this.#ended) {
      const next = await this.#source.next();
      if (next.done) {
        this.#ended = true;
        break;
      }
      if (next.value.byteLength > 0) {
        this.#chunks.push(next.value);
        this.#length += next.value.byteLength;
        return true;
      }
    }
    return false;
  }

  /** Returns the first `count` buffered bytes without consuming them. */
  peek(count: number): Uint8Array {
    return this.#copyFront(count, false);
  }

  /** Consumes and returns the first `count` buffered bytes. */
  take(count: number): Uint8Array {
    return this.#copyFront(count, true);
  }

  /** Consumes `count` bytes, pulling more from the stream as needed. Returns false when the stream ends first. */
  async skip(count: number): Promise<boolean> {
    let remaining = count;
    while (remaining > 0) {
      if (this.#length === 0 && !(await this.pull())) return false;
      const dropped = Math.min(remaining, this.#length);
      this.#copyFront(dropped, true, false);
      remaining -= dropped;
    }
    return true;
  }

  /** Puts bytes back in front of the queue, for a parser that read past the end of an item. */
  unshift(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.#chunks.unshift(bytes);
    this.#length += bytes.byteLength;
    this.#consumed -= bytes.byteLength;
  }

  /** Stops the underlying stream, for a reader that leaves before the end. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#source.return?.();
  }

  #copyFront(count: number, consume: boolean, copy = true): Uint8Array {
    if (count > this.#length) throw new RangeError(`Requested ${count} bytes, but only ${this.#length} are buffered.`);

    const first = this.#chunks[0];
    let result: Uint8Array;
    if (first !== undefined && first.byteLength >= count) {
      result = first.subarray(0, count);
    } else {
      result = new Uint8Array(copy ? count : 0);
      let filled = 0;
      for (const chunk of this.#chunks) {
        if (filled >= count) break;
        const part = chunk.subarray(0, count - filled);
        if (copy) result.set(part, filled);
        filled += part.byteLength;
      }
    }

    if (consume) this.#dropFront(count);
    return result;
  }

  #dropFront(count: number): void {
    let remaining = count;
    while (remaining > 0) {
      const chunk = this.#chunks[0];
      if (chunk === undefined) break;
      if (chunk.byteLength <= remaining) {
        this.#chunks.shift();
        remaining -= chunk.byteLength;
      } else {
        this.#chunks[0] = chunk.subarray(remaining);
        remaining = 0;
      }
    }
    this.#length -= count;
    this.#consumed += count;
  }
}
