// One app's MariaDB connections, under the process-wide ConnectionBudget. mysql2's own pool cannot share a cap
// across pools nor close an idle connection on demand, so this small pool replaces it: at most `size`
// connections, each opened only with a slot of the budget; an unused connection is closed after `idleTimeoutMs`
// (or earlier, when another app needs its slot); a caller that finds nothing free waits, oldest first across
// the whole process, until it is served or cancels (its deadline). A connection the server refuses for lack of
// room (1040, 1203) is retried while the caller still has time, after closing an idle connection if any.
import mysql, { type Connection, type ConnectionOptions } from 'mysql2';
import type { ConnectionBudget, IdleHolder, SlotWaiter } from './connection-budget.js';

/** Pause before asking again a server that refused a connection for lack of room. */
export const REFUSED_RETRY_MS = 50;
const REFUSED_ERRNO = new Set([1040, 1203]);

export interface PooledConnection {
  readonly conn: Connection;
  /** The session was set up (SESSION_SETUP ran on it). */
  ready: boolean;
  /** An error left the connection unusable: it is destroyed rather than reused. */
  broken: boolean;
  state: 'connecting' | 'busy' | 'idle' | 'closed';
  idleSince: number;
  timer?: NodeJS.Timeout;
}

type Callback = (err: Error | null, pooled?: PooledConnection) => void;

interface Waiter extends SlotWaiter {
  cb: Callback;
  done: boolean;
  inBudget: boolean;
}

export class MysqlPool implements IdleHolder {
  private open = 0;
  private readonly idle: PooledConnection[] = [];
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly size: number,
    private readonly idleTimeoutMs: number,
    private readonly budget: ConnectionBudget,
    /** A connection the server just refused for lack of room. */
    private readonly onRefused: () => void = () => undefined,
  ) {
    budget.register(this);
  }

  get idleCount(): number {
    return this.idle.length;
  }

  oldestIdleSince(): number | undefined {
    return this.idle[0]?.idleSince;
  }

  dropOldestIdle(): void {
    const pooled = this.idle.shift();
    if (!pooled) return;
    this.open--;
    this.closeConnection(pooled);
  }

  /**
   * Hands a connection to `cb`: an idle one, a new one, or the next one freed. Returns a cancel function (the
   * caller's deadline passed: a connection that arrives later is kept for the next caller). With `wait` false
   * a caller that would have to wait gets `undefined` at once.
   */
  acquire(cb: Callback, wait = true): () => boolean {
    if (this.closed) {
      queueMicrotask(() => cb(poolClosed()));
      return () => false;
    }
    const reused = this.idle.pop();
    if (reused) {
      clearTimeout(reused.timer);
      reused.state = 'busy';
      queueMicrotask(() => cb(null, reused));
      return () => false;
    }
    const waiter: Waiter = {
      seq: this.budget.nextSeq(),
      cb,
      done: false,
      inBudget: false,
      grant: () => this.grant(waiter),
    };
    if (this.open < this.size && this.budget.take()) {
      this.open++;
      this.connectFor(waiter);
    } else if (!wait) {
      queueMicrotask(() => cb(null, undefined));
      return () => false;
    } else this.enqueue(waiter);
    return () => this.cancel(waiter);
  }

  /** Gives a borrowed connection back: to the oldest waiter of the process, or to the idle list. */
  release(pooled: PooledConnection, keepIdle = true): void {
    if (pooled.state !== 'busy') return;
    if (pooled.broken || this.closed) {
      this.discard(pooled, true);
      return;
    }
    const own = this.waiters[0];
    const head = this.budget.headSeq();
    if (own && (head === undefined || own.seq <= head)) {
      this.serve(own, pooled);
      return;
    }
    if (head !== undefined || !keepIdle) {
      // Another app has waited longer (or the connection was opened for a health ping): its slot moves on.
      this.discard(pooled, false);
      return;
    }
    pooled.state = 'idle';
    pooled.idleSince = Date.now();
    pooled.timer = setTimeout(() => this.expire(pooled), this.idleTimeoutMs);
    pooled.timer.unref();
    this.idle.push(pooled);
  }

  /** Destroys a borrowed connection (a deadline passed, a fatal error) and frees its slot. */
  destroy(pooled: PooledConnection): void {
    if (pooled.state === 'busy') this.discard(pooled, true);
  }

  /** Fails every waiter and closes the idle connections; busy ones are closed when given back. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) {
      this.unwait(waiter);
      waiter.done = true;
      queueMicrotask(() => waiter.cb(poolClosed()));
    }
    for (const pooled of this.idle.splice(0)) {
      this.open--;
      this.closeConnection(pooled);
      this.budget.release();
    }
    this.budget.unregister(this);
  }

  private enqueue(waiter: Waiter): void {
    this.waiters.push(waiter);
    this.budget.waiting++;
    this.budget.noteSaturation();
    if (this.open < this.size) {
      waiter.inBudget = true;
      this.budget.enqueue(waiter);
    }
  }

  /** Takes a waiter out of both queues (it was served or gave up). */
  private unwait(waiter: Waiter): void {
    const at = this.waiters.indexOf(waiter);
    if (at >= 0) {
      this.waiters.splice(at, 1);
      this.budget.waiting--;
    }
    if (waiter.inBudget) {
      waiter.inBudget = false;
      this.budget.remove(waiter);
    }
  }

  private cancel(waiter: Waiter): boolean {
    if (waiter.done) return false;
    waiter.done = true;
    const waited = this.waiters.includes(waiter);
    this.unwait(waiter);
    return waited;
  }

  private serve(waiter: Waiter, pooled: PooledConnection): void {
    this.unwait(waiter);
    waiter.done = true;
    queueMicrotask(() => waiter.cb(null, pooled));
  }

  /** The budget offers a slot to this waiter. */
  private grant(waiter: Waiter): boolean {
    waiter.inBudget = false;
    if (waiter.done || this.closed || this.open >= this.size) return false;
    this.unwait(waiter);
    this.open++;
    this.connectFor(waiter);
    return true;
  }

  /** A slot of this pool is free again: to this pool's oldest waiter if it came first, else to the budget. */
  private slotFreed(): void {
    const own = this.waiters[0];
    const head = this.budget.headSeq();
    if (own && !this.closed && (head === undefined || own.seq <= head)) {
      this.unwait(own);
      this.open++;
      this.connectFor(own);
      return;
    }
    this.budget.release();
  }

  private discard(pooled: PooledConnection, destroy: boolean): void {
    if (destroy) {
      pooled.state = 'closed';
      pooled.conn.destroy();
    } else this.closeConnection(pooled);
    this.open--;
    this.slotFreed();
  }

  private expire(pooled: PooledConnection): void {
    const at = this.idle.indexOf(pooled);
    if (at < 0) return;
    this.idle.splice(at, 1);
    this.open--;
    this.closeConnection(pooled);
    this.slotFreed();
  }

  /** The server closed a connection (restart, wait_timeout, KILL): an idle one leaves the pool now. */
  private lost(pooled: PooledConnection): void {
    if (pooled.state === 'busy') pooled.broken = true;
    else if (pooled.state === 'idle') {
      clearTimeout(pooled.timer);
      const at = this.idle.indexOf(pooled);
      if (at >= 0) this.idle.splice(at, 1);
      pooled.state = 'closed';
      pooled.conn.destroy();
      this.open--;
      this.slotFreed();
    }
  }

  private closeConnection(pooled: PooledConnection): void {
    clearTimeout(pooled.timer);
    pooled.state = 'closed';
    // QUIT, so that the server counts a clean disconnect; the stream is gone once it answers.
    pooled.conn.end(() => pooled.conn.destroy());
  }

  /** Opens a connection on a slot this pool holds, for `waiter` (or the next caller if it gave up). */
  private connectFor(waiter: Waiter): void {
    const conn = mysql.createConnection(this.options);
    const pooled: PooledConnection = { conn, ready: false, broken: false, state: 'connecting', idleSince: 0 };
    conn.on('error', () => this.lost(pooled));
    conn.on('end', () => this.lost(pooled));
    conn.connect((err) => {
      if (!err) {
        pooled.state = 'busy';
        if (waiter.done) this.release(pooled);
        else {
          waiter.done = true;
          waiter.cb(null, pooled);
        }
        return;
      }
      pooled.state = 'closed';
      conn.destroy();
      this.open--;
      if (REFUSED_ERRNO.has((err as { errno?: number }).errno ?? 0) && !waiter.done && !this.closed) {
        // No room on the server (other clients, or a cap set too high): make some, and try again in a moment
        // unless the caller's deadline passes first.
        this.onRefused();
        this.budget.release();
        this.budget.evictOne();
        setTimeout(() => {
          if (waiter.done) return;
          if (this.closed) {
            waiter.done = true;
            waiter.cb(poolClosed());
          } else this.retry(waiter);
        }, REFUSED_RETRY_MS).unref();
        return;
      }
      this.slotFreed();
      if (!waiter.done) {
        waiter.done = true;
        waiter.cb(err);
      }
    });
  }

  /** A refused caller asks again, keeping its place in the order of arrival. */
  private retry(waiter: Waiter): void {
    const reused = this.idle.pop();
    if (reused) {
      clearTimeout(reused.timer);
      reused.state = 'busy';
      waiter.done = true;
      waiter.cb(null, reused);
    } else if (this.open < this.size && this.budget.take()) {
      this.open++;
      this.connectFor(waiter);
    } else this.enqueue(waiter);
  }
}

function poolClosed(): Error {
  return new Error('Pool is closed.');
}
