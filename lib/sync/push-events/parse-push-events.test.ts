import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parsePushEvents } from "@/lib/sync/push-events/parse-push-events";

const testdata = path.join(import.meta.dirname, "testdata");
const fixture = (name: string) => readFileSync(path.join(testdata, name), "utf8");

describe("parsePushEvents", () => {
  test("distribution envelope keeps manifest changes", () => {
    const delivery = parsePushEvents(fixture("distribution-push.json"));
    expect(delivery.format).toBe("distribution");
    expect(delivery.events).toEqual([
      { repository: "acme/api", action: "push", tag: "1.4.2", digest: "sha256:7e2b1b4a4cf7a2e2f5f0d1b3c4a5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7" },
      { repository: "acme/worker", action: "delete", tag: null, digest: "sha256:0d5f0d1b3c4a5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f77e2b1b4a4cf7a2e2" },
    ]);
    // The blob upload and the pull.
    expect(delivery.ignored).toBe(2);
  });

  test("Docker Hub webhook names the pushed tag", () => {
    const delivery = parsePushEvents(fixture("dockerhub-webhook.json"));
    expect(delivery.format).toBe("dockerhub");
    expect(delivery.events).toEqual([{ repository: "acme/api", action: "push", tag: "1.4.2", digest: null }]);
    expect(delivery.ignored).toBe(0);
  });

  test("empty envelope has no events", () => {
    const delivery = parsePushEvents('{"events":[]}');
    expect(delivery.events).toEqual([]);
    expect(delivery.ignored).toBe(0);
  });

  test.each([
    ["not JSON", "{events:", /not valid JSON/],
    ["text, not JSON", "sealedTokenValue0123456789 rest", /^The push event body is not valid JSON: Unexpected token 's' is not valid JSON\./],
    ["neither format", '{"hello":"world"}', /neither "events".*nor "push_data"/],
    ["JSON array", "[]", /neither "events"/],
    ["events not a list", '{"events":{}}', /envelope is malformed: events:/],
    ["target without repository", '{"events":[{"action":"push","target":{"tag":"1"}}]}', /events\.0\.target\.repository/],
    ["webhook without repo_name", '{"push_data":{"tag":"1"},"repository":{}}', /webhook is malformed: repository\.repo_name/],
    ["invalid repository name", '{"push_data":{"tag":"1"},"repository":{"repo_name":"Acme/../api"}}', /Invalid repository name "Acme\/\.\.\/api"/],
  ])("rejects %s", (_case, body, message) => {
    expect(() => parsePushEvents(body)).toThrow(message);
  });
});
