// Sync benchmark: a local CNCF registry holding REPOSITORIES × TAGS synthetic
// images, synced into an embedded Postgres twice. It prints the time and request
// count of the first sync and of a re-sync, each next to a baseline measured in
// the same run. The baseline sends the HTTP requests any sync has to make with a
// bare client and no database. For the first sync these are the catalog, the tag
// lists, and a HEAD, a manifest GET and a config GET per tag. For the re-sync
// they are the catalog, the tag lists and one HEAD per tag. A third sync runs
// after 1% of the tags moved to new images; its baseline adds a manifest and a
// config GET per moved tag.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    repositories: { type: "string", default: "200" },
    tags: { type: "string", default: "5" },
    concurrency: { type: "string", default: "4" },
  },
});
const repositories = Number(values.repositories);
const tagsPerRepository = Number(values.tags);
const concurrency = Number(values.concurrency);
process.env.LOG_LEVEL ??= "warn";

const { startBenchDatabase } = await import("../bench-database");
const database = await startBenchDatabase("sync");

const { startRegistryServer } = await import("@/lib/registry/testing/registry-server");
const { buildSyntheticOrg } = await import("@/lib/samples/synthetic-images");
const { pushSampleSet } = await import("@/lib/sync/testing/push-sample-set");
const { createRegistrySource } = await import("@/lib/registry/registry-source");
const { syncOrganization } = await import("@/lib/sync/sync-organization");
const { getPrisma } = await import("@/lib/db");

const registry = await startRegistryServer();
try {
  const samples = await buildSyntheticOrg({ org: "bench", repositories, tagsPerRepository, seed: 1 });
  const pushStarted = performance.now();
  await pushSampleSet(registry, samples, undefined, { concurrency: 8 });
  console.log(`pushed ${samples.tags.length} tags in ${((performance.now() - pushStarted) / 1000).toFixed(1)} s`);

  const baselineFirst = await walkRegistry(registry.url, "full");
  const baselineResync = await walkRegistry(registry.url, "head");

  let requests = 0;
  const source = createRegistrySource({ kind: "distribution", url: registry.url, insecure: true, onRequest: () => (requests += 1) });
  const prisma = getPrisma();

  const firstStarted = performance.now();
  const first = await syncOrganization(prisma, source, "bench", { concurrency, requestCount: () => requests });
  const firstMs = performance.now() - firstStarted;

  const resyncStarted = performance.now();
  const resync = await syncOrganization(prisma, source, "bench", { concurrency, requestCount: () => requests });
  const resyncMs = performance.now() - resyncStarted;

  // Move 1% of the tags (every 100th, at least one) to new images with the same names, then sync again.
  const moved = await buildSyntheticOrg({ org: "bench", repositories, tagsPerRepository, seed: 2 });
  const movedTags = moved.tags.filter((_, index) => index % 100 === 0);
  await pushSampleSet(registry, { ...moved, tags: movedTags }, undefined, { concurrency: 8 });
  const movedKeys = new Set(movedTags.map((tag) => `${tag.repository}:${tag.tag}`));
  const baselineMoved = await walkRegistry(registry.url, "head", movedKeys);
  const movedStarted = performance.now();
  const movedSync = await syncOrganization(prisma, source, "bench", { concurrency, requestCount: () => requests });
  const movedMs = performance.now() - movedStarted;

  const tags = samples.tags.length;
  console.log(`\nsync of ${repositories} repositories × ${tagsPerRepository} tags = ${tags} tags, ${concurrency} repositories at a time`);
  console.log(`first sync: ${first.status}, ${(firstMs / 1000).toFixed(2)} s, ${first.requestCount} requests`);
  console.log(`  baseline (bare HTTP walk, same requests' content): ${(baselineFirst.ms / 1000).toFixed(2)} s, ${baselineFirst.requests} requests`);
  console.log(`  ratio to baseline: time ${(firstMs / baselineFirst.ms).toFixed(2)}, requests ${(first.requestCount / baselineFirst.requests).toFixed(2)}`);
  console.log(`re-sync: ${resync.status}, ${(resyncMs / 1000).toFixed(2)} s, ${resync.requestCount} requests, ${resync.tagsUnchanged} tags unchanged`);
  console.log(`  baseline (catalog, tag lists, one HEAD per tag): ${(baselineResync.ms / 1000).toFixed(2)} s, ${baselineResync.requests} requests`);
  console.log(`  ratio to baseline: time ${(resyncMs / baselineResync.ms).toFixed(2)}, requests ${(resync.requestCount / baselineResync.requests).toFixed(2)}`);
  console.log(`re-sync with ${movedTags.length} tags moved: ${movedSync.status}, ${(movedMs / 1000).toFixed(2)} s, ${movedSync.requestCount} requests, ${movedSync.tagsChanged} tags changed`);
  console.log(`  baseline (catalog, tag lists, one HEAD per tag, manifest and config of each moved tag): ${(baselineMoved.ms / 1000).toFixed(2)} s, ${baselineMoved.requests} requests`);
  console.log(`  ratio to baseline: time ${(movedMs / baselineMoved.ms).toFixed(2)}, requests ${(movedSync.requestCount / baselineMoved.requests).toFixed(2)}`);
  await prisma.$disconnect();
} finally {
  await registry.stop();
  await database.stop();
}

/**
 * Measures the baseline: sends the registry requests a sync cannot avoid with
 * plain fetch and the same repository concurrency, and stores nothing. In
 * "head" mode the tags in `fetchAlso` are fetched as in "full" mode.
 */
async function walkRegistry(base: string, mode: "full" | "head", fetchAlso: ReadonlySet<string> = new Set()): Promise<{ ms: number; requests: number }> {
  const accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
  let requests = 0;
  const get = async (url: string, init: RequestInit = {}) => {
    requests += 1;
    const response = await fetch(url, init);
    if (!response.ok) throw new Error(`${init.method ?? "GET"} ${url} failed with status ${response.status}`);
    return response;
  };
  const started = performance.now();
  const names: string[] = [];
  let next: string | null = `${base}/v2/_catalog?n=100`;
  while (next) {
    const response: Response = await get(next);
    names.push(...((await response.json()) as { repositories: string[] }).repositories);
    const link = response.headers.get("link");
    const match = link ? /<([^>]+)>/.exec(link) : null;
    next = match?.[1] ? new URL(match[1], base).toString() : null;
  }
  const queue = [...names];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const { tags } = (await (await get(`${base}/v2/${name}/tags/list`)).json()) as { tags: string[] };
        for (const tag of tags) {
          if (mode === "head" && !fetchAlso.has(`${name}:${tag}`)) {
            await get(`${base}/v2/${name}/manifests/${tag}`, { method: "HEAD", headers: { accept } });
            continue;
          }
          const head = await get(`${base}/v2/${name}/manifests/${tag}`, { method: "HEAD", headers: { accept } });
          const digest = head.headers.get("docker-content-digest");
          const manifest = (await (await get(`${base}/v2/${name}/manifests/${digest}`, { headers: { accept } })).json()) as { config: { digest: string } };
          await (await get(`${base}/v2/${name}/blobs/${manifest.config.digest}`)).arrayBuffer();
        }
      }
    }),
  );
  return { ms: performance.now() - started, requests };
}
