// Checks orderingFor() and schemeForEcosystem() against OSV ecosystem names from the OSV schema.
import { describe, expect, it } from "vitest";
import { InvalidVersionError, orderingFor, schemeForEcosystem, type VersionScheme } from "./version-ordering";

const schemes: VersionScheme[] = ["dpkg", "apk", "rpm", "pep440", "semver", "go", "cargo", "maven", "rubygems"];

describe("orderingFor", () => {
  it.each(schemes)("returns the %s ordering", (scheme) => {
    expect(orderingFor(scheme).scheme).toBe(scheme);
  });

  // A version every scheme accepts, and a pair every scheme orders the same way.
  it.each(schemes)("%s orders 1.2.3 before 1.10.0", (scheme) => {
    const ordering = orderingFor(scheme);
    expect(ordering.isValid("1.2.3")).toBe(true);
    expect(ordering.compare("1.2.3", "1.10.0")).toBeLessThan(0);
    expect(ordering.compare("1.10.0", "1.2.3")).toBeGreaterThan(0);
    expect(ordering.compare("1.2.3", "1.2.3")).toBe(0);
  });

  it.each(schemes)("%s rejects an empty version", (scheme) => {
    const ordering = orderingFor(scheme);
    expect(ordering.isValid("")).toBe(false);
    let error: unknown;
    try {
      ordering.compare("", "1.2.3");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidVersionError);
    expect(error).toMatchObject({ name: "InvalidVersionError", scheme, version: "" });
    expect((error as Error).message).toMatch(new RegExp(`^Invalid ${scheme} version "":`));
  });
});

describe("schemeForEcosystem", () => {
  it.each([
    ["Debian", "dpkg"],
    ["Debian:12", "dpkg"],
    ["Ubuntu:22.04:LTS", "dpkg"],
    ["Ubuntu:Pro:14.04:LTS", "dpkg"],
    ["Alpine:v3.20", "apk"],
    ["Wolfi", "apk"],
    ["Chainguard", "apk"],
    ["Red Hat:enterprise_linux:9::appstream", "rpm"],
    ["AlmaLinux:9", "rpm"],
    ["Rocky Linux:9", "rpm"],
    ["SUSE:Linux Enterprise Server 15 SP5", "rpm"],
    ["openSUSE:Tumbleweed", "rpm"],
    ["Mageia:9", "rpm"],
    ["openEuler:24.03-LTS", "rpm"],
    ["Azure Linux:3", "rpm"],
    ["PyPI", "pep440"],
    ["npm", "semver"],
    ["Go", "go"],
    ["crates.io", "cargo"],
    ["Maven", "maven"],
    ["RubyGems", "rubygems"],
  ] as const)("maps %s to %s", (ecosystem, scheme) => {
    expect(schemeForEcosystem(ecosystem)).toBe(scheme);
  });

  it.each(["", "debian:12", "Packagist", "NuGet", "Hex", "GIT", "Linux", "Debian12"])("returns null for %j", (ecosystem) => {
    expect(schemeForEcosystem(ecosystem)).toBeNull();
  });
});
