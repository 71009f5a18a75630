import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';

// Sonyflake layout, as ZITADEL's IDs: 39 bits of 10 ms ticks since 2014-09-01, 8 bits of
// sequence, 16 bits of machine ID. Decimal strings, time-ordered, 18 digits today.
const EPOCH = Date.UTC(2014, 8, 1);
const SEQ_BITS = 8n;
const MACHINE_BITS = 16n;
const MAX_SEQ = (1 << Number(SEQ_BITS)) - 1;

@Injectable()
export class IdGenerator {
  private readonly machine = BigInt(randomInt(0, 1 << Number(MACHINE_BITS)));
  private tick = 0;
  private seq = 0;

  /** The next IDs come after `id` (an ID of this layout another process made). */
  after(id: string): void {
    if (!/^\d{1,19}$/.test(id)) return;
    const v = BigInt(id);
    const tick = Number(v >> (SEQ_BITS + MACHINE_BITS));
    const seq = Number((v >> MACHINE_BITS) & BigInt(MAX_SEQ));
    if (tick > this.tick || (tick === this.tick && seq > this.seq)) {
      this.tick = tick;
      this.seq = seq;
    }
  }

  next(): string {
    let t = Math.floor((Date.now() - EPOCH) / 10);
    if (t < this.tick) t = this.tick; // clock stepped back: keep IDs increasing
    if (t === this.tick) {
      this.seq++;
      if (this.seq > MAX_SEQ) {
        // more than 256 IDs in one tick: borrow the next tick
        this.tick++;
        this.seq = 0;
      }
    } else {
      this.tick = t;
      this.seq = 0;
    }
    return ((BigInt(this.tick) << (SEQ_BITS + MACHINE_BITS)) | (BigInt(this.seq) << MACHINE_BITS) | this.machine).toString();
  }
}
