/** What a consumer that takes its time controls of a `directAttempt` exchange. */
export interface StreamedExchange {
  /** The consumer holds what arrived: the idle deadline waits (its time is not the server's). */
  hold(): void;
  /** Stops reading the socket (the consumer has enough waiting): the server is held back by TCP. */
  pause(): void;
  /** The consumer asks for more: the idle deadline counts from now, the socket is read again. */
  resume(): void;
  /**
   * The reader left early: the exchange is cut, its socket closed (the promise rejects, with
   * `reason` or undici's error). A no-op once the answer is complete (the connection is kept).
   */
  cancel(reason: Error): void;
}
