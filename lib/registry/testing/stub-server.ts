import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";

/** A request the stub server received. */
export interface StubRequest {
  method: string;
  /** Path with query, e.g. `/v2/_catalog?n=1`. */
  path: string;
  headers: IncomingHttpHeaders;
}

export interface StubServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

export type StubHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => void | Promise<void>;

/**
 * Starts an HTTP server on a free 127.0.0.1 port that records each request
 * and responds through `handler`, for registry behaviour the real registry
 * cannot be made to show (429, 500, tampered content, odd headers).
 */
export async function startStubServer(handler: StubHandler): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    requests.push({ method: request.method ?? "", path: `${url.pathname}${url.search}`, headers: request.headers });
    Promise.resolve(handler(request, response, url)).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("The stub server has no TCP address.");
  }

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Fetches like the global fetch, but only from 127.0.0.1. Any other host is
 * rejected before a packet leaves, so a test of address checks cannot reach a
 * real internal or metadata address even when the code under test is wrong.
 */
export const loopbackOnlyFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== "127.0.0.1") {
    throw new Error(`Test fetch blocked a request to ${url.host}; tests only talk to 127.0.0.1.`);
  }
  return fetch(input, init);
};
