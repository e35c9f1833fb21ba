import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { NextRequest } from "next/server";

// `never` accepts handlers of any parameter shape; the server passes the parameters its pattern captured.
type Handler = (request: NextRequest, segment: { params: Promise<never> }) => Promise<Response>;

/** One route: a URL path pattern with `{name}` parameters and its handler. */
export interface TestRoute {
  method: string;
  path: string;
  handler: Handler;
}

export interface RouteServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that passes requests to App Router route
 * handlers, so a client can be tested over real HTTP against the real handlers
 * without a Next.js build. Paths under /not-json/ get an HTML page, as a
 * proxy or another site would send.
 */
export async function startRouteServer(routes: TestRoute[]): Promise<RouteServer> {
  const compiled = routes.map((route) => ({ ...route, pattern: new RegExp(`^${route.path.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}$`) }));
  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
      if (url.pathname.startsWith("/not-json/")) {
        outgoing.writeHead(200, { "content-type": "text/html" }).end("<html><body>Welcome</body></html>");
        return;
      }
      const route = compiled.find((candidate) => candidate.method === incoming.method && candidate.pattern.test(url.pathname));
      if (route === undefined) {
        outgoing.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
        return;
      }
      const params = { ...route.pattern.exec(url.pathname)!.groups };
      const body = incoming.method === "GET" ? undefined : await readAll(incoming);
      const request = new NextRequest(url, { method: incoming.method, headers: incoming.headers as Record<string, string>, body });
      const response = await route.handler(request, { params: Promise.resolve(params) as Promise<never> });
      outgoing.writeHead(response.status, Object.fromEntries(response.headers));
      outgoing.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      outgoing.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readAll(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
