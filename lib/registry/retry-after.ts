/**
 * Parses a `Retry-After` header (RFC 9110, section 10.2.3): delay-seconds or
 * an HTTP date. Returns the delay in ms, 0 for a date in the past, or null
 * when the header is absent or invalid.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const value = header.trim();

  if (/^[0-9]+$/.test(value)) {
    return Number(value) * 1000;
  }

  // RFC 9110 dates (IMF-fixdate, RFC 850 and asctime forms) start with the weekday,
  // which rules out other text Date.parse accepts. asctime has no zone but means GMT.
  if (!/^[A-Za-z]{3,9},? /.test(value)) return null;
  const isAsctime = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(value);
  const date = Date.parse(isAsctime ? `${value} GMT` : value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

export interface RetryDelayOptions {
  /** Delay before the first retry in ms; each later retry doubles it. */
  baseDelayMs: number;
  /** Upper bound in ms for both the backoff and a `Retry-After` delay. */
  maxDelayMs: number;
  /** Source of randomness in [0, 1), replaceable in tests. */
  random?: () => number;
}

/**
 * Returns the delay in ms before retry number `retry` (0 for the first).
 * A `Retry-After` from the server wins. Otherwise the delay is exponential
 * backoff with jitter, uniform between half and all of `base * 2^retry`, so
 * clients that failed together do not retry together. Both are capped at
 * `maxDelayMs`.
 */
export function retryDelayMs(retry: number, retryAfterHeader: string | null, options: RetryDelayOptions, now: number = Date.now()): number {
  const requested = parseRetryAfter(retryAfterHeader, now);
  if (requested !== null) {
    return Math.min(requested, options.maxDelayMs);
  }

  const random = options.random ?? Math.random;
  const backoff = Math.min(options.baseDelayMs * 2 ** retry, options.maxDelayMs);
  return Math.round(backoff / 2 + (random() * backoff) / 2);
}
