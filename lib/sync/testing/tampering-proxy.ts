import { startStubServer, type StubServer } from "@/lib/registry/testing/stub-server";

export interface TamperedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

/** Returns the response to send in place of the registry's, or undefined to pass the request through. */
export type TamperRule = (method: string, path: string) => TamperedResponse | undefined;

/**
 * An HTTP proxy on 127.0.0.1 in front of a real registry that passes requests
 * through unchanged unless a rule returns a response. It produces registry
 * faults that the real registry cannot be made to show, such as a manifest that
 * is not JSON or a blob whose bytes do not match its digest.
 */
export async function startTamperingProxy(upstream: string): Promise<StubServer & { rules: TamperRule[] }> {
  const rules: TamperRule[] = [];
  const server = await startStubServer(async (request, response, url) => {
    const method = request.method ?? "GET";
    const path = `${url.pathname}${url.search}`;
    const tampered = rules.map((rule) => rule(method, url.pathname)).find((answer) => answer !== undefined);
    if (tampered) {
      const body = typeof tampered.body === "string" ? Buffer.from(tampered.body) : Buffer.from(tampered.body ?? new Uint8Array());
      response.writeHead(tampered.status, { "content-length": String(body.byteLength), ...tampered.headers });
      response.end(method === "HEAD" ? undefined : body);
      return;
    }

    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && name !== "host") headers.set(name, value);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const upstreamResponse = await fetch(`${upstream}${path}`, {
      method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      redirect: "manual",
    });
    const responseHeaders: Record<string, string> = {};
    upstreamResponse.headers.forEach((value, name) => {
      if (name !== "content-encoding" && name !== "transfer-encoding") responseHeaders[name] = value;
    });
    const body = Buffer.from(await upstreamResponse.arrayBuffer());
    if (method !== "HEAD") responseHeaders["content-length"] = String(body.byteLength);
    response.writeHead(upstreamResponse.status, responseHeaders);
    response.end(method === "HEAD" ? undefined : body);
  });
  return Object.assign(server, { rules });
}
