// One cap on the MariaDB connections a sogoms-db process holds open, shared by every app's pool: 200 apps with
// 10 connections each must not add up to 2,000 against a server that accepts 151. A pool takes a slot before
// it opens a connection and gives it back once the connection is closed. When none is free, the oldest idle
// connection of any app is closed to make room; when none is idle either, the caller waits in one queue for
// the whole process, oldest first, within its own deadline (the pools cancel a waiter whose deadline passed).

/** Connections one sogoms-db process keeps open at most, over all apps (flag `-max-connections`). */
export const DEFAULT_MAX_CONNECTIONS = 100;
/** A wait, a refusal or a wait that timed out keeps `saturated` true this long after it. */
export const SATURATION_MEMORY_MS = 60_000;

/** A caller waiting for a slot; `grant` answers false when it can no longer use one (its pool is full). */
export interface SlotWaiter {
  readonly seq: number;
  grant(): boolean;
}

/** A pool whose idle connections the budget may close to make room for another app. */
export interface IdleHolder {
  /** When the oldest idle connection went idle (ms), undefined when none is idle. */
  oldestIdleSince(): number | undefined;
  /** Closes the oldest idle connection; its slot passes to the budget's caller, not back to the pool. */
  dropOldestIdle(): void;
  readonly idleCount: number;
}

export interface ConnectionStats {
  /** The cap. */
  max: number;
  /** Connections open (or being opened) now. */
  open: number;
  in_use: number;
  idle: number;
  /** Calls waiting for a connection now. */
  waiting: number;
  /** Since start: connections the server refused (too many connections), and waits that ran out of time. */
  refused: number;
  wait_timeouts: number;
  /** Something waited, was refused or timed out in the last minute. */
  saturated: boolean;
}

export class ConnectionBudget {
  private open = 0;
  private seq = 0;
  private readonly queue: SlotWaiter[] = [];
  private readonly holders = new Set<IdleHolder>();
  /** Calls waiting for a connection, in a pool's own queue or in this one. */
  waiting = 0;
  private refused = 0;
  private waitTimeouts = 0;
  private lastSaturationAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly max: number = DEFAULT_MAX_CONNECTIONS,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max connections must be ≥ 1: ${max}`);
  }

  /** Order of arrival, shared by every pool so that the oldest caller of the process is served first. */
  nextSeq(): number {
    return ++this.seq;
  }

  register(holder: IdleHolder): void {
    this.holders.add(holder);
  }

  unregister(holder: IdleHolder): void {
    this.holders.delete(holder);
  }

  /** Takes a slot now: a free one, or the one of the oldest idle connection, which is closed. */
  take(): boolean {
    if (this.open < this.max) {
      this.open++;
      return true;
    }
    const holder = this.oldestIdleHolder();
    if (!holder) return false;
    holder.dropOldestIdle();
    return true;
  }

  /** Closes the oldest idle connection of the process, if any (the server refused a connection). */
  evictOne(): boolean {
    const holder = this.oldestIdleHolder();
    if (!holder) return false;
    holder.dropOldestIdle();
    this.release();
    return true;
  }

  enqueue(waiter: SlotWaiter): void {
    this.queue.push(waiter);
    this.noteSaturation();
  }

  remove(waiter: SlotWaiter): void {
    const at = this.queue.indexOf(waiter);
    if (at >= 0) this.queue.splice(at, 1);
  }

  /** Arrival order of the oldest caller waiting for a slot. */
  headSeq(): number | undefined {
    return this.queue[0]?.seq;
  }

  /** A connection was closed: its slot goes to the oldest waiter that can use it, else back to the free ones. */
  release(): void {
    for (let waiter = this.queue.shift(); waiter; waiter = this.queue.shift()) {
      if (waiter.grant()) return;
    }
    this.open--;
  }

  noteRefused(): void {
    this.refused++;
    this.noteSaturation();
  }

  noteWaitTimeout(): void {
    this.waitTimeouts++;
    this.noteSaturation();
  }

  noteSaturation(): void {
    this.lastSaturationAt = this.now();
  }

  stats(): ConnectionStats {
    let idle = 0;
    for (const holder of this.holders) idle += holder.idleCount;
    return {
      max: this.max,
      open: this.open,
      in_use: this.open - idle,
      idle,
      waiting: this.waiting,
      refused: this.refused,
      wait_timeouts: this.waitTimeouts,
      saturated: this.waiting > 0 || this.now() - this.lastSaturationAt < SATURATION_MEMORY_MS,
    };
  }

  private oldestIdleHolder(): IdleHolder | undefined {
    let best: IdleHolder | undefined;
    let bestSince = Number.POSITIVE_INFINITY;
    for (const holder of this.holders) {
      const since = holder.oldestIdleSince();
      if (since !== undefined && since < bestSince) {
        best = holder;
        bestSince = since;
      }
    }
    return best;
  }
}
