// The arena: the memory the SDK's byte strings live in (command
// encodings, command replies, a call's keys and args), written once.
// Regions are taken from the end of a buffer; a full buffer is replaced by
// a new one, which the collector frees once nothing refers to it (a view
// of a reply, a key or an argument keeps its whole buffer alive).

/** The size of an arena buffer. */
const SIZE = 16 << 10;

export class Arena {
  buf: ArrayBuffer = new ArrayBuffer(SIZE);
  used: i32 = 0;

  /** Whether n more bytes fit at the end of buf. */
  @inline fits(n: i32): bool {
    return n <= this.buf.byteLength - this.used;
  }

  /** Makes n bytes free at the end, in a new buffer when they do not fit. */
  reserve(n: i32): void {
    if (!this.fits(n)) {
      this.buf = new ArrayBuffer(n > SIZE ? n : SIZE);
      this.used = 0;
    }
  }

  /** Takes n bytes at the end and returns their offset in buf. */
  take(n: i32): i32 {
    this.reserve(n);
    const at = this.used;
    this.used += n;
    return at;
  }

  /** Drops a buffer that grew for a large region: between calls. */
  shrink(): void {
    if (this.buf.byteLength > SIZE) {
      this.buf = new ArrayBuffer(SIZE);
      this.used = 0;
    }
  }
}

export const arena = new Arena();
