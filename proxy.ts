import { NextResponse, type NextRequest } from "next/server";

// The proxy only sends anonymous visitors to sign-in. Whether a user may see
// something is decided next to the data, in lib/data, on every request.
// Endpoints with their own bearer token (metrics, /api/v1) check it themselves instead of a session.
// Unsubscribe links work without signing in; their signed token names the one rule.
const publicPaths = ["/signin", "/set-password", "/notifications/unsubscribe", "/api/auth", "/api/health", "/api/metrics", "/api/v1", "/icon.svg"];
const sessionCookies = ["next-auth.session-token", "__Secure-next-auth.session-token"];

/**
 * Builds the Content-Security-Policy of one response. Scripts run only with this
 * request's nonce, which Next.js puts on its own scripts, and the scripts they load
 * ('strict-dynamic'). Inline style attributes stay allowed because React and the
 * charts set them. The development server also needs eval for its refresh client.
 */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  // NODE_ENV is set by Next.js itself (`next dev` or `next start`), not by the operator, so it is not in lib/env.ts.
  // eslint-disable-next-line no-restricted-properties
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === "development");
  // Browsers honour HSTS only over https. Behind a TLS proxy, the forwarded protocol tells whether the request came over https.
  const https = request.nextUrl.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  const secured = (response: NextResponse) => {
    response.headers.set("Content-Security-Policy", policy);
    if (https) response.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    return response;
  };

  const { pathname, search } = request.nextUrl;
  const badRequest = (message: string) =>
    secured(
      pathname.startsWith("/api/")
        ? NextResponse.json({ error: { code: "INVALID_INPUT", message } }, { status: 400 })
        : new NextResponse(message, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } }),
    );
  // Postgres text cannot hold a NUL character, so a parameter with one would fail deep in a query.
  if (/%00/.test(request.nextUrl.href)) {
    return badRequest("The request URL contains a NUL character (%00), which no Shipshape page or parameter accepts. Remove it from the URL.");
  }
  // Next.js responds to a path it cannot decode with a bare 500, so such a path is rejected here with the reason.
  if (!decodable(pathname)) {
    return badRequest(`The request path ${JSON.stringify(pathname)} has a "%" that does not start a valid percent-encoded UTF-8 character. Write "%25" for a literal "%".`);
  }
  // Registries deliver push events without a session; the route checks the registry's event token itself.
  const isPublic = publicPaths.some((path) => pathname === path || pathname.startsWith(`${path}/`)) || /^\/api\/registries\/[^/]+\/events$/.test(pathname);
  if (isPublic || sessionCookies.some((name) => request.cookies.has(name))) {
    // Next.js reads the nonce from the request's policy header and adds it to the scripts it renders.
    const headers = new Headers(request.headers);
    headers.set("Content-Security-Policy", policy);
    return secured(NextResponse.next({ request: { headers } }));
  }

  if (pathname.startsWith("/api/")) {
    return secured(NextResponse.json({ error: { code: "UNAUTHORIZED", message: "Sign in first: this endpoint needs a session." } }, { status: 401 }));
  }
  const signIn = new URL("/signin", request.url);
  signIn.searchParams.set("callbackUrl", `${pathname}${search}`);
  return secured(NextResponse.redirect(signIn));
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
