import { PackageURL } from "packageurl-js";

import { readGoBuildInfo, type GoBuildInfo, type GoModule } from "@/lib/analysis/catalogers/go-binary-buildinfo";
import { isExecutableCandidatePath } from "@/lib/analysis/catalogers/go-binary-candidates";
import { hasElfMagic, readElfFile } from "@/lib/analysis/catalogers/go-binary-elf";
import type { CatalogedPackage, Cataloger, CatalogProblem } from "@/lib/analysis/types";
import { AppError } from "@/lib/errors";

/**
 * Cataloger for Go executables: the main module, the dependencies and the
 * toolchain (`stdlib`) recorded in the embedded build info. ELF files without
 * build info, which are most binaries of an image, are skipped silently.
 */

// Go pseudo-versions (https://go.dev/ref/mod#pseudo-versions): vX.Y.Z-[pre.]yyyymmddhhmmss-abcdefabcdef.
const PSEUDO_VERSION = /^v\d+\.\d+\.\d+-(?:[0-9A-Za-z.-]+\.)?(?:0\.)?\d{14}-[0-9a-f]{12}(?:\+[0-9A-Za-z.-]+)?$/;

// `-X importpath.name=value` linker flags that set a version variable by convention.
const VERSION_LDFLAG = /-X(?:\s+|=)['"]?((?:[^\s'"=]*\/)?(?:main|cmd|version|build))\.([Vv]er(?:sion)?|VERSION)=([^\s'"]+)/;

export const goBinaryCataloger: Cataloger = {
  id: "go-binary",
  // 2: layers also list the candidate paths whose content is not ELF, so a script hides the program it replaces.
  version: 2,
  scope: "file",
  wants: isExecutableCandidatePath,
  wantsContent: hasElfMagic,
  // NOTE: an estimate. The largest Go programs seen in images (kubelet, terraform providers) stay well below it.
  maxFileBytes: 200 * 1024 * 1024,

  parse(files) {
    const packages: CatalogedPackage[] = [];
    const problems: CatalogProblem[] = [];

    for (const [path, content] of files) {
      if (!hasElfMagic(content)) continue;
      try {
        const info = readGoBuildInfo(readElfFile(content));
        if (info !== null) packages.push(...goPackages(info, path));
      } catch (error) {
        problems.push({ path, message: `Go build info could not be read: ${describeError(error)}` });
      }
    }
    return { packages, problems };
  },
};

function goPackages(info: GoBuildInfo, path: string): CatalogedPackage[] {
  const arch = info.settings.get("GOARCH");
  const packages: CatalogedPackage[] = [];

  if (info.main !== null && info.main.path !== "") {
    packages.push(goPackage(info.main.path, mainModuleVersion(info.main, info.settings.get("-ldflags")), path, arch));
  }

  // "devel go1.23-abc123" toolchains built from source have no release to name.
  if (info.goVersion.startsWith("go")) {
    // The stdlib version is the Go release without "go" ("1.22.1"), as OSV's Go stdlib advisories write it.
    packages.push(goPackage("stdlib", info.goVersion.slice(2), path, arch));
  }

  for (const dependency of info.dependencies) {
    const replacement = dependency.replacement;
    if (replacement === null) {
      packages.push(goPackage(dependency.path, dependency.version, path, arch));
    } else if (replacement.version === "") {
      // A replacement by a local directory has no module version; the original path still names the code.
      packages.push(goPackage(dependency.path, "", path, arch));
    } else {
      packages.push(goPackage(replacement.path, replacement.version, path, arch));
    }
  }
  return packages;
}

/**
 * Returns the main module's version as recorded, unless it is "(devel)" or a pseudo-version. Then a version
 * set with `-ldflags "-X main.version=…"` is more telling, and "" is returned when neither is known.
 */
function mainModuleVersion(main: GoModule, ldflags: string | undefined): string {
  const recorded = main.version === "(devel)" ? "" : main.version;
  if (recorded !== "" && !PSEUDO_VERSION.test(recorded)) return recorded;
  const fromFlags = ldflags === undefined ? undefined : VERSION_LDFLAG.exec(ldflags)?.[3];
  return fromFlags ?? recorded;
}

function goPackage(modulePath: string, version: string, path: string, arch: string | undefined): CatalogedPackage {
  const cataloged: CatalogedPackage = {
    type: "golang",
    name: modulePath,
    version,
    purl: golangPackageUrl(modulePath, version),
    license: null,
    licenseDeclared: [],
    path,
  };
  if (arch) cataloged.arch = arch;
  return cataloged;
}

/** Builds `pkg:golang/<module path>@<version>`, the path's last element being the PURL name. */
export function golangPackageUrl(modulePath: string, version: string): string {
  const slash = modulePath.lastIndexOf("/");
  const namespace = slash < 0 ? undefined : modulePath.slice(0, slash);
  const name = modulePath.slice(slash + 1);
  return new PackageURL("golang", namespace, name, version || undefined, undefined, undefined).toString();
}

function describeError(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return `unexpected parser failure (${error instanceof Error ? error.message : String(error)})`;
}
