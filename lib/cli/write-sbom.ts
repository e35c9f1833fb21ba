import { writeFile } from "node:fs/promises";
import path from "node:path";
import { toCycloneDx, toSpdxDocument } from "@/lib/analysis/sbom-export";
import type { ImageScore } from "@/lib/cli/score-image-input";
import { toSbomPackage } from "@/lib/data/get-image-analysis";
import type { PrismaClient } from "@/lib/db";
import { AppError } from "@/lib/errors";
import packageJson from "@/package.json";

export const sbomFormats = ["spdx", "cyclonedx"] as const;
export type SbomFormat = (typeof sbomFormats)[number];

/**
 * Writes the package inventory of each platform image as SPDX 2.3 or CycloneDX
 * 1.6 JSON, the dashboard's exports. One platform is written to `file`; with
 * several, each goes to `file` with the platform before the extension
 * (`sbom.linux-arm64.spdx.json`). Returns the paths written.
 */
export async function writeSboms(prisma: PrismaClient, score: ImageScore, format: SbomFormat, file: string): Promise<string[]> {
  const written: string[] = [];
  for (const { report, facts } of score.platforms) {
    if (facts.analysis?.status !== "analysed") continue;
    const rows = await prisma.imagePackage.findMany({ where: { imageDigest: report.digest }, orderBy: [{ purl: "asc" }, { path: "asc" }, { id: "asc" }] });
    const input = {
      image: { repository: score.input, tag: null, digest: report.digest, platform: report.platform },
      os: facts.analysis.os,
      packages: rows.map(toSbomPackage),
      created: new Date(facts.evaluatedAt ?? Date.now()),
      toolVersion: packageJson.version,
    };
    const document = format === "spdx" ? toSpdxDocument(input) : toCycloneDx(input);
    const target = score.platforms.length === 1 ? file : platformFile(file, report.platform);
    try {
      await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
    } catch (error) {
      throw new AppError("INVALID_INPUT", `Writing the SBOM to ${target} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Check --sbom-file.`, { cause: error });
    }
    written.push(target);
  }
  return written;
}

function platformFile(file: string, platform: string): string {
  const directory = path.dirname(file);
  const base = path.basename(file);
  const dot = base.indexOf(".");
  const suffix = platform.replace(/\//g, "-");
  const name = dot <= 0 ? `${base}.${suffix}` : `${base.slice(0, dot)}.${suffix}${base.slice(dot)}`;
  return path.join(directory, name);
}
