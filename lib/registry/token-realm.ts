import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

import { redactUrl, RegistryError } from "@/lib/registry/registry-error";

/**
 * Address ranges a token realm must not point into unless the registry itself
 * is there: loopback, private (RFC 1918, IPv6 unique local), link-local (which
 * contains cloud metadata services at 169.254.169.254), and the unspecified,
 * shared (RFC 6598), multicast and reserved ranges.
 */
const NON_PUBLIC = new BlockList();
NON_PUBLIC.addSubnet("0.0.0.0", 8, "ipv4");
NON_PUBLIC.addSubnet("10.0.0.0", 8, "ipv4");
NON_PUBLIC.addSubnet("100.64.0.0", 10, "ipv4");
NON_PUBLIC.addSubnet("127.0.0.0", 8, "ipv4");
NON_PUBLIC.addSubnet("169.254.0.0", 16, "ipv4");
NON_PUBLIC.addSubnet("172.16.0.0", 12, "ipv4");
NON_PUBLIC.addSubnet("192.168.0.0", 16, "ipv4");
NON_PUBLIC.addSubnet("224.0.0.0", 4, "ipv4");
NON_PUBLIC.addSubnet("240.0.0.0", 4, "ipv4");
NON_PUBLIC.addSubnet("::", 128, "ipv6");
NON_PUBLIC.addSubnet("::1", 128, "ipv6");
NON_PUBLIC.addSubnet("fc00::", 7, "ipv6");
NON_PUBLIC.addSubnet("fe80::", 10, "ipv6");
NON_PUBLIC.addSubnet("fec0::", 10, "ipv6");
NON_PUBLIC.addSubnet("ff00::", 8, "ipv6");

/** Resolves a host name to all its addresses. */
export type HostLookup = (hostname: string) => Promise<string[]>;

const defaultLookup: HostLookup = async (hostname) => {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map((entry) => entry.address);
};

/** Returns whether `address` (an IPv4 or IPv6 literal) is loopback, private, link-local or otherwise not public. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    return NON_PUBLIC.check(address, "ipv4");
  }
  if (family === 6) {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) reaches the IPv4 host.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1] !== undefined) {
      return NON_PUBLIC.check(mapped[1], "ipv4");
    }
    return NON_PUBLIC.check(address, "ipv6");
  }
  return false;
}

/**
 * Checks the token realm of a Bearer challenge before any request is sent to
 * it, and returns it as a URL. A registry controls the realm, so without this
 * check it could make Shipshape send the configured credentials to, or read
 * from, an internal address such as a cloud metadata service.
 * Rules: the realm is https (http only when the registry is configured as
 * insecure), carries no userinfo, and is either on the registry's own host
 * or on a host whose addresses are all public.
 * Raises RegistryError REGISTRY_ERROR naming the realm and the rule.
 *
 * NOTE: the host is resolved here and again by fetch, so a DNS answer that
 * changes in between (DNS rebinding) is not caught.
 */
export async function checkTokenRealm(
  realm: string,
  registryUrl: URL,
  { insecure, lookup = defaultLookup }: { insecure: boolean; lookup?: HostLookup },
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw rejectRealm(realm, registryUrl, "it is not an absolute URL");
  }

  if (url.protocol !== "https:" && !(url.protocol === "http:" && insecure)) {
    throw rejectRealm(realm, registryUrl, `its scheme is ${url.protocol} but only https is allowed unless REGISTRY_INSECURE=true`);
  }
  if (url.username !== "" || url.password !== "") {
    throw rejectRealm(realm, registryUrl, "it contains credentials");
  }

  if (url.hostname.toLowerCase() === registryUrl.hostname.toLowerCase()) {
    return url;
  }

  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (hostname === "localhost" || hostname.endsWith(".localhost")) {
    throw rejectRealm(realm, registryUrl, "it is a loopback host other than the registry's own host");
  }

  const addresses = isIP(hostname) !== 0 ? [hostname] : await lookupOrEmpty(lookup, hostname);
  const internal = addresses.find(isNonPublicAddress);
  if (internal !== undefined) {
    throw rejectRealm(
      realm,
      registryUrl,
      `it points to the non-public address ${internal} (loopback, private or link-local), which is only allowed on the registry's own host`,
    );
  }
  return url;
}

/** Resolves `hostname`, or returns no addresses when it does not resolve, because fetch then fails with its own error. */
async function lookupOrEmpty(lookup: HostLookup, hostname: string): Promise<string[]> {
  try {
    return await lookup(hostname);
  } catch {
    return [];
  }
}

function rejectRealm(realm: string, registryUrl: URL, rule: string): RegistryError {
  const shownRealm = redactUrl(realm);
  return new RegistryError(
    "REGISTRY_ERROR",
    `The registry at ${registryUrl.origin} sent a token realm "${shownRealm}" that was rejected because ${rule}. Check that REGISTRY_URL points to the intended registry.`,
    { url: registryUrl, details: { realm: shownRealm } },
  );
}
