import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { AppError } from "@/lib/errors";

/**
 * Address ranges a user-set URL may not reach: "this network", private, shared
 * (carrier-grade NAT), loopback, link-local (cloud metadata services live there),
 * benchmarking, documentation, multicast and reserved ranges, their IPv6
 * counterparts, and the IPv6 ranges that embed an IPv4 address.
 */
const blockedRanges = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blockedRanges.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  // IPv4-compatible, NAT64 and 6to4 addresses reach IPv4 hosts, so they are judged as private as a whole.
  ["::", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["2002::", 16],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blockedRanges.addSubnet(network, prefix, "ipv6");
}

/** Returns whether an IP address is in a range user-set URLs may not reach. IPv4-mapped IPv6 addresses are judged as IPv4. */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return blockedRanges.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return blockedRanges.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Rejects a URL whose host is, or resolves to, a private, loopback or link-local
 * address, unless the host or the address is in `allowed` (the site
 * administrator's PRIVATE_TARGETS_ALLOWED). Raises AppError FORBIDDEN naming the
 * URL's host, the address and the fix. Without `resolve`, only an address literal
 * or a localhost name is judged, so a URL can be saved while its host is not
 * resolvable, and is judged again when it is called.
 * NOTE: the address is checked when this runs, before the request; a DNS answer
 * that changes in between (rebinding) is not caught.
 */
export async function assertPublicTarget(url: URL, allowed: readonly string[], purpose: string, options: { resolve: boolean } = { resolve: true }): Promise<void> {
  // A trailing dot names the same host ("localhost." is localhost).
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase().replace(/\.$/, "");
  if (allowed.includes(host)) return;
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else if (host === "localhost" || host.endsWith(".localhost")) {
    // Resolvers return loopback addresses for these names (RFC 6761), so no lookup is needed.
    addresses = ["127.0.0.1"];
  } else if (!options.resolve) {
    return;
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch (error) {
      throw new AppError("INVALID_INPUT", `The ${purpose} host ${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? "lookup failed"}). Check the host name.`, { cause: error });
    }
  }
  const blocked = addresses.find((address) => isBlockedAddress(address) && !allowed.includes(address));
  if (blocked === undefined) return;
  throw new AppError(
    "FORBIDDEN",
    `The ${purpose} host ${host} resolves to ${blocked}, a private, loopback or link-local address, which Shipshape does not call. Use a public address, or add ${host} to PRIVATE_TARGETS_ALLOWED in the server's environment and restart it.`,
  );
}
