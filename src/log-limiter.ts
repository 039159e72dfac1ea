/** Rate-limited log lines, for a long-lived process that any client can make log. */

/**
 * Log lines about misbehaving peers, at most `burst` per `windowMs`; the rest
 * are counted and reported in one line when the window ends (at the next line,
 * or by a timer if none comes).
 */
export class LogLimiter {
  #windowStart = -Infinity;
  #inWindow = 0;
  #suppressed = 0;

  constructor(
    private readonly log: (message: string) => void,
    private readonly burst = 5,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  line(message: string): void {
    const t = this.now();
    if (t - this.#windowStart >= this.windowMs) {
      this.flush();
      this.#windowStart = t;
      this.#inWindow = 0;
    }
    if (this.#inWindow < this.burst) {
      this.#inWindow++;
      this.log(message);
    } else if (this.#suppressed++ === 0) {
      const timer = setTimeout(() => {
        if (this.now() - this.#windowStart >= this.windowMs) this.flush();
      }, this.windowMs - (t - this.#windowStart) + 1);
      timer.unref();
    }
  }

  /** Reports the lines not logged so far, if any. */
  flush(): void {
    if (this.#suppressed === 0) return;
    this.log(`${this.#suppressed} more such line${this.#suppressed === 1 ? "" : "s"} not logged in the last ${Math.round(this.windowMs / 1000)} s`);
    this.#suppressed = 0;
  }
}
