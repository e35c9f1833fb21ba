import type { DistributionClientOptions } from "@/lib/registry/client-options";
import { createRegistrySource } from "@/lib/registry/registry-source";

/** Creates a client for a loopback test registry: plain http allowed and no retries, so a fault shows at once. */
export function testRegistrySource(url: string, options: Partial<Omit<DistributionClientOptions, "url">> = {}) {
  return createRegistrySource({ kind: "distribution", url, insecure: true, retries: 0, ...options });
}
