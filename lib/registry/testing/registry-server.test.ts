import { setTimeout as sleep } from "node:timers/promises";

import { afterEach, describe, expect, it } from "vitest";

import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { startStubServer, type StubServer } from "@/lib/registry/testing/stub-server";

const encoder = new TextEncoder();
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(registry: RegistryServer): Promise<RegistryServer> {
  cleanups.push(() => registry.stop());
  return registry;
}

/** Polls `condition` every 50 ms for at most `limitMs` and returns whether it became true. */
async function eventually(condition: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

describe("startRegistryServer", () => {
  it("requires the htpasswd user", async () => {
    const registry = await started(await startRegistryServer({ htpasswd: { username: "alice", password: "pa55" } }));
    const anonymous = await fetch(`${registry.url}/v2/`);
    const authenticated = await fetch(`${registry.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from("alice:pa55").toString("base64")}` } });
    expect(anonymous.status).toBe(401);
    expect(authenticated.status).toBe(200);
  });

  it("sends push notifications with the token", async () => {
    const receiver: StubServer = await startStubServer((_request, response) => {
      response.writeHead(200);
      response.end();
    });
    cleanups.push(() => receiver.close());
    const registry = await started(await startRegistryServer({ notifications: { url: `${receiver.url}/hooks/registry`, token: "hook-token" } }));

    const config = encoder.encode(JSON.stringify({ architecture: "amd64", os: "linux" }));
    const configDigest = await pushBlob(registry, "acme/api", config);
    const manifest = encoder.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.byteLength },
        layers: [],
      }),
    );
    await pushManifest(registry, "acme/api", "1.0", manifest, "application/vnd.oci.image.manifest.v1+json");

    expect(await eventually(() => receiver.requests.length > 0, 15_000)).toBe(true);
    expect(receiver.requests[0]?.method).toBe("POST");
    expect(receiver.requests[0]?.path).toBe("/hooks/registry");
    expect(receiver.requests[0]?.headers.authorization).toBe("Bearer hook-token");
  });

  it("kills the process on stop", async () => {
    const registry = await startRegistryServer();
    expect((await fetch(`${registry.url}/v2/`)).status).toBe(200);
    await registry.stop();
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });
});
