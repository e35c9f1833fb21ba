import { afterEach, describe, expect, test } from "vitest";
import { AppError } from "@/lib/errors";
import { loopbackOnlyFetch, startStubServer, type StubServer } from "@/lib/registry/testing/stub-server";
import { guardedFetch } from "@/lib/security/guarded-fetch";

let server: StubServer | undefined;

/** Like loopbackOnlyFetch, but also lets `localhost` through, so a redirect can change origin on loopback. */
const localFetch: typeof fetch = async (input, init) => {
  const host = new URL(input instanceof Request ? input.url : String(input)).hostname;
  if (host !== "localhost") return loopbackOnlyFetch(input, init);
  return fetch(input, init);
};

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server whose `/hop/N` redirects to `/hop/N-1`, `/to?url=U` redirects to U, and anything else responds with "landed". */
async function redirectingServer(): Promise<StubServer> {
  return startStubServer((_request, response, url) => {
    const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
    if (hop) {
      const remaining = Number(hop[1]);
      response.writeHead(302, { location: remaining > 0 ? `/hop/${remaining - 1}` : "/landed" });
      response.end();
    } else if (url.pathname === "/to") {
      response.writeHead(307, { location: url.searchParams.get("url") ?? "/" });
      response.end();
    } else {
      response.end("landed");
    }
  });
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("guardedFetch", () => {
  test("rejects a loopback host before sending", async () => {
    server = await redirectingServer();
    const error = await rejection(guardedFetch([], "advisory source", loopbackOnlyFetch)(`${server.url}/landed`));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("The advisory source host 127.0.0.1 resolves to 127.0.0.1");
    expect(error.message).toContain("PRIVATE_TARGETS_ALLOWED");
    expect(server.requests).toHaveLength(0);
  });

  test("sends to an allowed host and follows its redirects", async () => {
    server = await redirectingServer();
    const response = await guardedFetch(["127.0.0.1"], "advisory source", loopbackOnlyFetch)(`${server.url}/hop/2`);
    expect(await response.text()).toBe("landed");
    expect(server.requests.map((request) => request.path)).toEqual(["/hop/2", "/hop/1", "/hop/0", "/landed"]);
  });

  test("rejects a redirect to a host not allowed", async () => {
    server = await redirectingServer();
    const allowedByName = server.url.replace("127.0.0.1", "localhost");
    const fetchFromLocalhost = guardedFetch(["localhost"], "advisory source", localFetch);

    const error = await rejection(fetchFromLocalhost(`${allowedByName}/to?url=${encodeURIComponent(`${server.url}/landed`)}`));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("The advisory source's redirect target host 127.0.0.1");
    expect(server.requests.map((request) => request.path)).toEqual([`/to?url=${encodeURIComponent(`${server.url}/landed`)}`]);
  });

  test("rejects a redirect to a metadata address", async () => {
    server = await redirectingServer();
    const error = await rejection(guardedFetch(["127.0.0.1"], "advisory source", loopbackOnlyFetch)(`${server.url}/to?url=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("169.254.169.254");
  });

  test("drops the Authorization header when a redirect changes origin", async () => {
    server = await redirectingServer();
    const otherOrigin = server.url.replace("127.0.0.1", "localhost");
    const send = guardedFetch(["127.0.0.1", "localhost"], "advisory source", localFetch);

    await send(`${server.url}/hop/0`, { headers: { authorization: "Basic c2FtZTpvcmlnaW4=" } });
    await send(`${server.url}/to?url=${encodeURIComponent(`${otherOrigin}/landed`)}`, { headers: { authorization: "Basic b3RoZXI6b3JpZ2lu" } });

    expect(server.requests.map((request) => request.headers.authorization)).toEqual(["Basic c2FtZTpvcmlnaW4=", "Basic c2FtZTpvcmlnaW4=", "Basic b3RoZXI6b3JpZ2lu", undefined]);
  });

  test("stops after five redirects", async () => {
    server = await redirectingServer();
    const error = await rejection(guardedFetch(["127.0.0.1"], "advisory source", loopbackOnlyFetch)(`${server.url}/hop/9`));
    expect(error.message).toBe("The advisory source 127.0.0.1:" + new URL(server.url).port + " redirected more than 5 times. Check the URL.");
    expect(server.requests).toHaveLength(6);
  });

  test("leaves a manual redirect and a POST's redirect to the caller", async () => {
    server = await redirectingServer();
    const send = guardedFetch(["127.0.0.1"], "webhook URL", loopbackOnlyFetch);
    expect((await send(`${server.url}/hop/1`, { redirect: "manual" })).status).toBe(302);
    expect((await send(`${server.url}/hop/1`, { method: "POST", body: "{}" })).status).toBe(302);
    expect(server.requests).toHaveLength(2);
  });
});
