import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { listInstalledDpkgPackages } from "@/lib/samples/dpkg-installed-packages";
import { SAMPLES_TESTDATA_DIR } from "@/lib/samples/samples-testdata-dir";

describe("listInstalledDpkgPackages", () => {
  it("reads the committed Debian status", () => {
    const status = readFileSync(join(SAMPLES_TESTDATA_DIR, "debian-12/var/lib/dpkg/status"), "utf8");
    const packages = listInstalledDpkgPackages(status);

    expect(packages).toHaveLength(39);
    expect(packages.find((pkg) => pkg.name === "login")).toEqual({
      name: "login",
      version: "1:4.13+dfsg1-1+deb12u1",
      architecture: "amd64",
      sourceName: "shadow",
      maintainer: "Shadow package maintainers <pkg-shadow-devel@lists.alioth.debian.org>",
    });
    expect(packages.find((pkg) => pkg.name === "bash")?.sourceName).toBe("bash");
  });

  it("skips packages that are not installed", () => {
    const status = [
      "Package: kept\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64",
      "Package: removed\nStatus: deinstall ok config-files\nVersion: 2.0",
      "Package: half\nStatus: install ok half-configured\nVersion: 3.0",
    ].join("\n\n");

    expect(listInstalledDpkgPackages(status).map((pkg) => pkg.name)).toEqual(["kept"]);
  });

  it("ignores continuation lines", () => {
    const status = "Package: a\nStatus: install ok installed\nVersion: 1\nDescription: short\n Version: 9\n .\n more\n";

    expect(listInstalledDpkgPackages(status)).toEqual([{ name: "a", version: "1", architecture: "all" }]);
  });

  it("drops the version from Source", () => {
    const status = "Package: bash\nStatus: install ok installed\nSource: bash (5.2.15-2)\nVersion: 5.2.15-2+b8\nArchitecture: amd64\n";

    expect(listInstalledDpkgPackages(status)[0]?.sourceName).toBe("bash");
  });

  it("rejects an installed package without a version", () => {
    expect(() => listInstalledDpkgPackages("Package: a\nStatus: install ok installed\n")).toThrow(/needs Package and Version/);
  });
});
