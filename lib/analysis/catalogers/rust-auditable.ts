import { inflateSync } from "node:zlib";
import { PackageURL } from "packageurl-js";
import { z } from "zod";

import { isExecutableCandidatePath } from "@/lib/analysis/catalogers/go-binary-candidates";
import { elfSectionData, hasElfMagic, readElfFile } from "@/lib/analysis/catalogers/go-binary-elf";
import type { CatalogedPackage, Cataloger, CatalogProblem } from "@/lib/analysis/types";
import { AppError } from "@/lib/errors";
import { decodeUtf8 } from "@/lib/analysis/utf8";

/**
 * Cataloger for Rust executables built with `cargo auditable`, which embeds
 * the crate graph as zlib-compressed JSON in an ELF section named `.dep-v0`
 * (format: rust-secure-code/cargo-auditable, `auditable-serde`). ELF files
 * without that section are skipped silently.
 */

const SECTION_NAME = ".dep-v0";
// cargo-auditable's own reader caps the decompressed JSON at 8 MiB by default.
const MAX_JSON_BYTES = 8 * 1024 * 1024;

const auditableSchema = z.object({
  packages: z.array(
    z.object({
      name: z.string().min(1),
      version: z.string().min(1),
      source: z.string().optional(),
      // Dependency kind, omitted for runtime dependencies.
      kind: z.enum(["runtime", "build"]).optional(),
      dependencies: z.array(z.number().int().nonnegative()).optional(),
      root: z.boolean().optional(),
    }),
  ),
});

export const rustAuditableCataloger: Cataloger = {
  id: "rust-auditable",
  // 2: layers also list the candidate paths whose content is not ELF, so a script hides the program it replaces.
  version: 2,
  scope: "file",
  wants: isExecutableCandidatePath,
  wantsContent: hasElfMagic,
  maxFileBytes: 200 * 1024 * 1024,

  parse(files) {
    const packages: CatalogedPackage[] = [];
    const problems: CatalogProblem[] = [];

    for (const [path, content] of files) {
      if (!hasElfMagic(content)) continue;
      try {
        const section = elfSectionData(readElfFile(content), SECTION_NAME);
        if (section !== null) packages.push(...rustPackages(section, path));
      } catch (error) {
        problems.push({ path, message: `cargo auditable data could not be read: ${describeError(error)}` });
      }
    }
    return { packages, problems };
  },
};

function rustPackages(section: Uint8Array, path: string): CatalogedPackage[] {
  let json: Uint8Array;
  try {
    json = inflateSync(section, { maxOutputLength: MAX_JSON_BYTES });
  } catch (error) {
    throw new AppError("INVALID_INPUT", `section ${SECTION_NAME} is not valid zlib data or exceeds ${MAX_JSON_BYTES} bytes`, { cause: error });
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8(json));
  } catch (error) {
    throw new AppError("INVALID_INPUT", `section ${SECTION_NAME} does not contain valid JSON`, { cause: error });
  }
  const result = auditableSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AppError("INVALID_INPUT", `section ${SECTION_NAME} has an invalid crate list: ${issue?.path.join(".")} ${issue?.message}`);
  }

  return (
    result.data.packages
      // Build dependencies (build scripts, proc macros) run at compile time and are not linked into the binary.
      .filter((crate) => crate.kind !== "build")
      .map((crate) => ({
        type: "cargo" as const,
        name: crate.name,
        version: crate.version,
        purl: new PackageURL("cargo", undefined, crate.name, crate.version, undefined, undefined).toString(),
        license: null,
        licenseDeclared: [],
        path,
      }))
  );
}

function describeError(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return `unexpected parser failure (${error instanceof Error ? error.message : String(error)})`;
}
