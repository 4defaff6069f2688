/**
 * Integration timeouts without a Node timer per request. Creating and clearing a timer per invocation
 * cost about a microsecond, a noticeable share of a local request. Invocations with the same timeout
 * reach their deadlines in the order they started, so one first-in-first-out queue per timeout value
 * and one timer for the oldest pending entry are enough.
 */
export interface Deadline {
  /** Withdraws the deadline; true if it had not expired yet (the caller's answer stands). */
  settle(): boolean;
}

class Entry implements Deadline {
  readonly expiresAt: number;
  readonly onExpire: () => void;
  readonly #queue: DeadlineQueue;
  constructor(queue: DeadlineQueue, expiresAt: number, onExpire: () => void) {
    this.#queue = queue;
    this.expiresAt = expiresAt;
    this.onExpire = onExpire;
  }
  settle(): boolean {
    return this.#queue.remove(this);
  }
}

export class DeadlineQueue {
  readonly #timeoutMs: number;
  /** Insertion order is expiry order: every entry gets the same timeout. */
  readonly #pending = new Set<Entry>();
  /**
   * Armed for the oldest entry's expiry at the time it was set. It is not cleared when that entry
   * settles (re-arming for every request would cost what a timer per request did): when it fires it
   * expires what is due and re-arms for the oldest entry still pending. While nothing is pending it
   * is unref'd, so it never keeps a process alive on its own.
   */
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Calls `onExpire` once the timeout has passed, unless the returned deadline is settled first. */
  add(onExpire: () => void): Deadline {
    const entry = new Entry(this, Date.now() + this.#timeoutMs, onExpire);
    this.#pending.add(entry);
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
    else if (this.#pending.size === 1) this.#timer.ref();
    return entry;
  }

  remove(entry: Entry): boolean {
    const wasPending = this.#pending.delete(entry);
    if (wasPending && this.#pending.size === 0) this.#timer?.unref();
    return wasPending;
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => this.#expire(), delayMs);
  }

  #expire(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const entry of this.#pending) {
      if (entry.expiresAt > now) break;
      this.#pending.delete(entry);
      entry.onExpire();
    }
    // An onExpire that added an entry armed a timer for that entry; the oldest one decides instead.
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const oldest = this.#pending.values().next();
    if (!oldest.done) this.#arm(oldest.value.expiresAt - now);
  }
}

const queues = new Map<number, DeadlineQueue>();

/** The shared queue for one timeout value (a gateway has one; tests use short ones). */
export function deadlineQueue(timeoutMs: number): DeadlineQueue {
  let queue = queues.get(timeoutMs);
  if (queue === undefined) {
    queue = new DeadlineQueue(timeoutMs);
    queues.set(timeoutMs, queue);
  }
  return queue;
}
