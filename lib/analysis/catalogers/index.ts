import { apkCataloger } from "@/lib/analysis/catalogers/apk";
import { dpkgCataloger } from "@/lib/analysis/catalogers/dpkg";
import { goBinaryCataloger } from "@/lib/analysis/catalogers/go-binary";
import { javaArchiveCataloger } from "@/lib/analysis/catalogers/java-archive";
import { npmCataloger } from "@/lib/analysis/catalogers/npm";
import { pythonCataloger } from "@/lib/analysis/catalogers/python";
import { rpmCataloger } from "@/lib/analysis/catalogers/rpm";
import { rubyGemspecCataloger } from "@/lib/analysis/catalogers/ruby-gemspec";
import { rustAuditableCataloger } from "@/lib/analysis/catalogers/rust-auditable";
import type { Cataloger } from "@/lib/analysis/types";

/** Every cataloger the analyser runs, in the order their packages are listed. */
export const catalogers: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  pythonCataloger,
  npmCataloger,
  goBinaryCataloger,
  rustAuditableCataloger,
  javaArchiveCataloger,
  rubyGemspecCataloger,
];
