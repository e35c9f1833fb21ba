import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

/**
 * Rate-limit state of one Docker Hub account, read from response headers.
 * The registry's form is `ratelimit-remaining: 76;w=21600` (requests left in a
 * window of w seconds). The Hub API sends `X-RateLimit-Remaining` with
 * `X-RateLimit-Reset` (Unix seconds), and Retry-After with a 429, as its
 * reference at docs.docker.com/reference/api/hub/latest describes. Both
 * spellings are read, with and without the `x-` prefix.
 */
export class RateLimit {
  private remaining: number | null = null;
  private resetAt: Date | null = null;

  constructor(
    private readonly account: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records the limit headers of a response, and a 429 as an exhausted window. */
  observe(response: Response, url: string): void {
    const remaining = readHeader(response, "ratelimit-remaining");
    const reset = readHeader(response, "ratelimit-reset");
    if (remaining === null && response.status !== 429) return;

    const remainingCount = remaining === null ? 0 : Number.parseInt(remaining, 10);
    if (Number.isNaN(remainingCount)) return;
    this.remaining = response.status === 429 ? 0 : remainingCount;
    this.resetAt = resetTime(reset, remaining, response.headers.get("retry-after"), this.now());
    const level = this.remaining === 0 ? "warn" : "debug";
    logger[level]({ account: this.account, url, remaining: this.remaining, resetAt: this.resetAt?.toISOString() ?? null }, "Docker Hub rate limit");
  }

  /** Returns when the exhausted window resets, or null when requests may be sent now. */
  pausedUntil(): Date | null {
    if (this.remaining !== 0 || this.resetAt === null) return null;
    if (this.resetAt.getTime() <= this.now().getTime()) {
      this.remaining = null;
      this.resetAt = null;
      return null;
    }
    return this.resetAt;
  }

  /** Raises REGISTRY_ERROR with `details.pausedUntil` when the window is exhausted, before a request is sent. */
  check(): void {
    const until = this.pausedUntil();
    if (until === null) return;
    throw new AppError(
      "REGISTRY_ERROR",
      `The Docker Hub rate limit of ${this.account} is exhausted until ${until.toISOString()}. Syncs of its organizations resume then; a paid plan or fewer synced repositories raise the headroom.`,
      { details: { pausedUntil: until.toISOString() } },
    );
  }
}

function readHeader(response: Response, name: string): string | null {
  return response.headers.get(name) ?? response.headers.get(`x-${name}`);
}

/** Default pause when a 429 or an exhausted window names no reset time, in seconds. */
const DEFAULT_PAUSE_SECONDS = 60;

/**
 * Returns when the window resets: the reset header (Unix seconds when large,
 * else seconds from now), else Retry-After, else the `w=` window length, which
 * is the longest the window can still run.
 */
function resetTime(reset: string | null, remaining: string | null, retryAfter: string | null, now: Date): Date {
  const resetValue = reset === null ? Number.NaN : Number(reset);
  if (Number.isFinite(resetValue) && resetValue > 0) {
    return resetValue > 1_000_000_000 ? new Date(resetValue * 1000) : new Date(now.getTime() + resetValue * 1000);
  }
  const retryAfterSeconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) return new Date(now.getTime() + retryAfterSeconds * 1000);
  const window = /;\s*w=(\d+)/.exec(remaining ?? "")?.[1];
  const seconds = window === undefined ? DEFAULT_PAUSE_SECONDS : Number(window);
  return new Date(now.getTime() + seconds * 1000);
}
