import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { mergeLayers } from "@/lib/analysis/image-filesystem";
import type { LayerContents } from "@/lib/analysis/layer-reader";
import { detectOs, osWantedPaths, parseOsRelease } from "@/lib/analysis/os-release";
import type { OsRelease } from "@/lib/analysis/types";

function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`testdata/os-release/${path}`, import.meta.url)));
}

function filesystem(files: Record<string, Uint8Array | string>, symlinks: Record<string, string> = {}) {
  const layer: LayerContents = {
    digest: "sha256:test",
    files: new Map(Object.entries(files).map(([path, content]) => [path, typeof content === "string" ? new TextEncoder().encode(content) : content])),
    symlinks: new Map(Object.entries(symlinks)),
    whiteouts: [],
    opaqueDirectories: [],
    problems: [],
    uncompressedBytes: 0,
  };
  return mergeLayers([layer]);
}

/** Debian and Ubuntu keep the file in /usr/lib and link /etc/os-release to it. */
function linkedOsRelease(folder: string) {
  return filesystem({ "/usr/lib/os-release": fixture(`${folder}/os-release`) }, { "/etc/os-release": "../usr/lib/os-release" });
}

describe("detectOs", () => {
  const cases: { name: string; fs: ReturnType<typeof filesystem>; expected: OsRelease | null }[] = [
    {
      name: "Debian 12",
      fs: linkedOsRelease("debian-12"),
      expected: { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", ecosystem: "Debian:12", endOfLife: "2026-06-10" },
    },
    {
      name: "Ubuntu 22.04 LTS",
      fs: linkedOsRelease("ubuntu-22.04"),
      expected: { id: "ubuntu", versionId: "22.04", prettyName: "Ubuntu 22.04.4 LTS", ecosystem: "Ubuntu:22.04:LTS", endOfLife: "2027-04-30" },
    },
    {
      name: "Ubuntu 23.10 interim",
      fs: linkedOsRelease("ubuntu-23.10"),
      expected: { id: "ubuntu", versionId: "23.10", prettyName: "Ubuntu 23.10", ecosystem: "Ubuntu:23.10", endOfLife: "2024-07-11" },
    },
    {
      name: "Alpine 3.20.3",
      fs: filesystem({ "/etc/os-release": fixture("alpine-3.20.3/os-release"), "/etc/alpine-release": fixture("alpine-3.20.3/alpine-release") }),
      expected: { id: "alpine", versionId: "3.20.3", prettyName: "Alpine Linux v3.20", ecosystem: "Alpine:v3.20", endOfLife: "2026-04-01" },
    },
    {
      name: "RHEL 9",
      fs: filesystem({ "/etc/os-release": fixture("rhel-9/os-release") }),
      expected: {
        id: "rhel",
        versionId: "9.4",
        prettyName: "Red Hat Enterprise Linux 9.4 (Plow)",
        ecosystem: "Red Hat:enterprise_linux:9::baseos",
        endOfLife: "2032-05-31",
      },
    },
    {
      name: "AlmaLinux 9",
      fs: filesystem({ "/etc/os-release": fixture("almalinux-9/os-release") }),
      expected: { id: "almalinux", versionId: "9.4", prettyName: "AlmaLinux 9.4 (Seafoam Ocelot)", ecosystem: "AlmaLinux:9", endOfLife: "2032-05-31" },
    },
    {
      name: "Rocky Linux 9",
      fs: filesystem({ "/etc/os-release": fixture("rocky-9/os-release") }),
      expected: { id: "rocky", versionId: "9.3", prettyName: "Rocky Linux 9.3 (Blue Onyx)", ecosystem: "Rocky Linux:9", endOfLife: "2032-05-31" },
    },
    {
      name: "Amazon Linux 2023",
      fs: filesystem({ "/etc/os-release": fixture("amzn-2023/os-release") }),
      expected: { id: "amzn", versionId: "2023", prettyName: "Amazon Linux 2023.5.20240819", ecosystem: null, endOfLife: "2029-06-30" },
    },
    {
      name: "distroless with only /etc/os-release",
      fs: filesystem({ "/etc/os-release": fixture("distroless-debian-12/os-release") }),
      expected: { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", ecosystem: "Debian:12", endOfLife: "2026-06-10" },
    },
    {
      name: "/usr/lib/os-release fallback",
      fs: filesystem({ "/usr/lib/os-release": fixture("debian-12/os-release") }),
      expected: { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", ecosystem: "Debian:12", endOfLife: "2026-06-10" },
    },
    {
      name: "/etc/alpine-release fallback",
      fs: filesystem({ "/etc/alpine-release": "3.18.9\n" }),
      expected: { id: "alpine", versionId: "3.18.9", prettyName: null, ecosystem: "Alpine:v3.18", endOfLife: "2025-05-09" },
    },
    {
      name: "/etc/debian_version fallback",
      fs: filesystem({ "/etc/debian_version": "11.11\n" }),
      expected: { id: "debian", versionId: "11", prettyName: null, ecosystem: "Debian:11", endOfLife: "2024-08-14" },
    },
    {
      name: "Debian testing codename",
      fs: filesystem({ "/etc/debian_version": "trixie/sid\n" }),
      expected: { id: "debian", versionId: null, prettyName: null, ecosystem: null, endOfLife: null },
    },
    { name: "scratch", fs: filesystem({}), expected: null },
  ];

  for (const { name, fs, expected } of cases) {
    it(`detects ${name}`, () => {
      expect(detectOs(fs)).toEqual(expected);
    });
  }

  it("lists every file it reads", () => {
    expect([...osWantedPaths]).toEqual(["/etc/os-release", "/usr/lib/os-release", "/etc/alpine-release", "/etc/debian_version"]);
  });
});

describe("parseOsRelease", () => {
  const cases: { name: string; input: string; key: string; expected: string | undefined }[] = [
    { name: "unquoted value", input: "ID=debian", key: "ID", expected: "debian" },
    { name: "double quotes", input: 'NAME="Debian GNU/Linux"', key: "NAME", expected: "Debian GNU/Linux" },
    { name: "single quotes", input: "NAME='Alpine Linux'", key: "NAME", expected: "Alpine Linux" },
    { name: "escaped quote", input: 'PRETTY_NAME="The \\"Best\\" OS"', key: "PRETTY_NAME", expected: 'The "Best" OS' },
    { name: "escaped backslash", input: 'X="a\\\\b"', key: "X", expected: "a\\b" },
    { name: "escaped dollar", input: 'X="cost \\$5"', key: "X", expected: "cost $5" },
    { name: "single quotes keep backslashes", input: "X='a\\b'", key: "X", expected: "a\\b" },
    { name: "comment line", input: "# ID=wrong\nID=right", key: "ID", expected: "right" },
    { name: "blank lines and CRLF", input: "\r\n\r\nID=crlf\r\n", key: "ID", expected: "crlf" },
    { name: "unterminated quote ignored", input: 'NAME="broken', key: "NAME", expected: undefined },
    { name: "line without equals ignored", input: "garbage line\nID=ok", key: "ID", expected: "ok" },
    { name: "empty value", input: "VARIANT=", key: "VARIANT", expected: "" },
  ];
  for (const { name, input, key, expected } of cases) {
    it(`parses ${name}`, () => {
      expect(parseOsRelease(input).get(key)).toBe(expected);
    });
  }
});
