import { NextResponse, type NextRequest } from "next/server";

// The proxy only sends anonymous visitors to sign-in. Whether a user may see
// something is decided next to the data, in lib/data, on every request.
const publicPaths = ["/signin", "/set-password", "/api/auth", "/api/health", "/icon.svg"];
const sessionCookies = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  // Postgres text cannot hold a NUL character, so a parameter with one would fail deep in a query.
  if (/%00/.test(request.nextUrl.href)) {
    return new NextResponse("The request URL contains a NUL character (%00), which no Shipshape page or parameter accepts. Remove it from the URL.", {
      status: 400,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  if (publicPaths.some((path) => pathname === path || pathname.startsWith(`${path}/`))) return NextResponse.next();
  // Registries deliver push events without a session; the route checks the registry's event token itself.
  if (/^\/api\/registries\/[^/]+\/events$/.test(pathname)) return NextResponse.next();
  if (sessionCookies.some((name) => request.cookies.has(name))) return NextResponse.next();

  if (pathname.startsWith("/api/")) {
    return NextResponse.json({ error: { code: "UNAUTHORIZED", message: "Sign in first: this endpoint needs a session." } }, { status: 401 });
  }
  const signIn = new URL("/signin", request.url);
  signIn.searchParams.set("callbackUrl", `${pathname}${search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
