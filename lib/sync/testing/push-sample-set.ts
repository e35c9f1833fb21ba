import { pushBlob, pushManifest, type BasicAuth, type PushTarget } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer, type RegistryServerOptions } from "@/lib/registry/testing/registry-server";
import { buildSampleImages } from "@/lib/samples/sample-images";
import { runWithConcurrency } from "@/lib/sync/run-with-concurrency";
import type { SampleSet } from "@/lib/samples/sample-set";

/**
 * Pushes a sample set to a registry: each repository gets the blobs and child
 * manifests it references, then its tags in push order.
 */
export async function pushSampleSet(registry: PushTarget, samples: SampleSet, auth?: BasicAuth, options: { concurrency?: number } = {}): Promise<void> {
  const repositories = [...new Set(samples.tags.map((tag) => tag.repository))];
  await runWithConcurrency(repositories, options.concurrency ?? 4, (repository) => pushRepository(registry, samples, repository, auth));
}

async function pushRepository(registry: PushTarget, samples: SampleSet, repository: string, auth?: BasicAuth): Promise<void> {
  const tags = samples.tags.filter((tag) => tag.repository === repository).sort((a, b) => a.pushedOrder - b.pushedOrder);
  const needed = referencedDigests(samples, tags.map((tag) => tag.bytes));
  for (const [digest, bytes] of samples.blobs) {
    if (needed.has(digest)) await pushBlob(registry, repository, bytes, auth);
  }
  for (const [digest, manifest] of samples.manifests) {
    if (needed.has(digest)) await pushManifest(registry, repository, digest, manifest.bytes, manifest.mediaType, auth);
  }
  for (const tag of tags) await pushManifest(registry, repository, tag.tag, tag.bytes, tag.mediaType, auth);
}

/** Collects every digest reachable from the given manifests through `config`, `layers` and `manifests`. */
function referencedDigests(samples: SampleSet, roots: Uint8Array[]): Set<string> {
  const found = new Set<string>();
  const pending = [...roots];
  for (let bytes = pending.pop(); bytes !== undefined; bytes = pending.pop()) {
    const document = JSON.parse(new TextDecoder().decode(bytes)) as { config?: { digest: string }; layers?: { digest: string }[]; manifests?: { digest: string }[] };
    const children = [document.config, ...(document.layers ?? []), ...(document.manifests ?? [])].filter((entry) => entry !== undefined);
    for (const child of children) {
      if (found.has(child.digest)) continue;
      found.add(child.digest);
      const manifest = samples.manifests.get(child.digest);
      if (manifest) pending.push(manifest.bytes);
    }
  }
  return found;
}

/** Starts Debian's registry on loopback with the demo sample images pushed to it. */
export async function startSampleRegistry(options: RegistryServerOptions = {}): Promise<{ registry: RegistryServer; samples: SampleSet }> {
  const registry = await startRegistryServer(options);
  const samples = await buildSampleImages();
  await pushSampleSet(registry, samples, options.htpasswd);
  return { registry, samples };
}
