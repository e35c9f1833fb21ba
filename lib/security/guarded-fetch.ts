import { AppError } from "@/lib/errors";
import { assertPublicTarget } from "@/lib/security/outbound-target";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

function requestUrl(input: Parameters<typeof fetch>[0]): URL {
  if (input instanceof URL) return input;
  return new URL(typeof input === "string" ? input : input.url);
}

/**
 * Returns a fetch that sends a request only after `assertPublicTarget` has
 * accepted its host (resolved through DNS), for servers whose URL a user set.
 *
 * Redirects never reach a host unchecked. A caller asking for `redirect: "manual"`
 * sends each hop through this fetch again. Otherwise this fetch follows up to five
 * redirects of a GET or HEAD itself: it checks each new host, and drops the
 * Authorization header when the origin changes, as browsers do. A redirect of any
 * other method goes back to the caller unfollowed.
 */
export function guardedFetch(allowed: readonly string[], purpose: string, send: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    let url = requestUrl(input);
    await assertPublicTarget(url, allowed, purpose);
    const method = (init?.method ?? "GET").toUpperCase();
    if (init?.redirect === "manual" || init?.redirect === "error" || (method !== "GET" && method !== "HEAD")) {
      return send(input, { ...init, redirect: init?.redirect === "error" ? "error" : "manual" });
    }

    const headers = new Headers(init?.headers);
    for (let redirects = 0; ; redirects += 1) {
      const response = await send(url, { ...init, headers, redirect: "manual" });
      const location = response.headers.get("location");
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
      await response.body?.cancel();
      if (redirects === MAX_REDIRECTS) {
        throw new AppError("REGISTRY_ERROR", `The ${purpose} ${url.host} redirected more than ${MAX_REDIRECTS} times. Check the URL.`);
      }
      const next = new URL(location, url);
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new AppError("REGISTRY_ERROR", `The ${purpose} ${url.host} redirected to a ${next.protocol} URL, which Shipshape does not follow. Check the URL.`);
      }
      if (next.origin !== url.origin) headers.delete("authorization");
      await assertPublicTarget(next, allowed, `${purpose}'s redirect target`);
      url = next;
    }
  };
}
