/**
 * The OSV records in this folder as JSON modules, since scoring/ reads no files, and
 * helpers that parse them or derive changed copies for a test.
 */
import { type OsvRecord, parseOsvRecord } from "@/scoring/advisories/osv-record";
import alpineLibexif from "@/scoring/advisories/testdata/Alpine/CVE-2012-2812.json";
import alpineOpenssl from "@/scoring/advisories/testdata/Alpine/CVE-2018-5407.json";
import alpineMariadb from "@/scoring/advisories/testdata/Alpine/CVE-2022-27449.json";
import debianUnixodbc from "@/scoring/advisories/testdata/Debian/CVE-2024-1013.json";
import debianChromium from "@/scoring/advisories/testdata/Debian/CVE-2024-3847.json";
import debianNginxDsa from "@/scoring/advisories/testdata/Debian/DSA-3029-1.json";
import ubuntuLinux from "@/scoring/advisories/testdata/Ubuntu/UBUNTU-CVE-2025-38094.json";
import goGin from "@/scoring/advisories/testdata/Go/GO-2020-0001.json";
import goGogoProtobuf from "@/scoring/advisories/testdata/Go/GO-2021-0053.json";
import ghsaGogoProtobuf from "@/scoring/advisories/testdata/Go/GHSA-c3h9-896r-86jm.json";
import goStdlibFaccessat from "@/scoring/advisories/testdata/Go/GO-2022-0493.json";
import goBitfield from "@/scoring/advisories/testdata/Go/GO-2023-1558.json";
import ghsaBitfield from "@/scoring/advisories/testdata/Go/GHSA-2h6c-j3gf-xp9r.json";
import goStdlibExpectContinue from "@/scoring/advisories/testdata/Go/GO-2024-2963.json";
import mavenGuava from "@/scoring/advisories/testdata/Maven/GHSA-mvr2-9pj6-7w5j.json";
import mavenAtomix from "@/scoring/advisories/testdata/Maven/GHSA-2fqw-684c-pvp7.json";
import mavenJacksonDatabind from "@/scoring/advisories/testdata/Maven/GHSA-288c-cq4h-88gq.json";
import mavenCommonsCompress from "@/scoring/advisories/testdata/Maven/GHSA-4265-ccf5-phj5.json";
import mavenXwiki from "@/scoring/advisories/testdata/Maven/GHSA-76mp-659p-rw65.json";
import mavenDnsjava from "@/scoring/advisories/testdata/Maven/GHSA-cfxw-4h78-h7fw.json";
import npmJquery from "@/scoring/advisories/testdata/npm/GHSA-mhpp-875w-9cpv.json";
import npmMixinDeep from "@/scoring/advisories/testdata/npm/GHSA-fhjf-83wg-r2j9.json";
import npmMarkyMarkdown from "@/scoring/advisories/testdata/npm/GHSA-pxmp-fwjc-4x7q.json";
import npmShiba from "@/scoring/advisories/testdata/npm/GHSA-jvf4-g24p-2qgw.json";
import npmI18next from "@/scoring/advisories/testdata/npm/GHSA-f89g-whpf-6q9m.json";
import pypiGradio from "@/scoring/advisories/testdata/PyPI/GHSA-9v2f-6vcg-3hgv.json";
import pypiPluggableAuthService from "@/scoring/advisories/testdata/PyPI/GHSA-p44j-xrqg-4xrr.json";
import pypiFlaskJsonEncoding from "@/scoring/advisories/testdata/PyPI/PYSEC-2018-66.json";
import pypiFlaskJsonMemory from "@/scoring/advisories/testdata/PyPI/PYSEC-2019-179.json";
import pypiPandas from "@/scoring/advisories/testdata/PyPI/PYSEC-2020-73.json";
import pypiCryptography from "@/scoring/advisories/testdata/PyPI/PYSEC-2021-63.json";
import pypiFlaskSessionCookie from "@/scoring/advisories/testdata/PyPI/PYSEC-2023-62.json";
import pypiRequests from "@/scoring/advisories/testdata/PyPI/PYSEC-2023-74.json";
import pypiIdna from "@/scoring/advisories/testdata/PyPI/PYSEC-2024-60.json";
import rubygemsActivesupportWithdrawn from "@/scoring/advisories/testdata/RubyGems/GHSA-35c4-f3rq-f9g3.json";

/** Each record as JSON, named after its ecosystem and package. */
export const osvFixtures = {
  alpineLibexif,
  alpineOpenssl,
  alpineMariadb,
  debianUnixodbc,
  debianChromium,
  debianNginxDsa,
  ubuntuLinux,
  goGin,
  goGogoProtobuf,
  ghsaGogoProtobuf,
  goStdlibFaccessat,
  goBitfield,
  ghsaBitfield,
  goStdlibExpectContinue,
  mavenGuava,
  mavenAtomix,
  mavenJacksonDatabind,
  mavenCommonsCompress,
  mavenXwiki,
  mavenDnsjava,
  npmJquery,
  npmMixinDeep,
  npmMarkyMarkdown,
  npmShiba,
  npmI18next,
  pypiGradio,
  pypiPluggableAuthService,
  pypiFlaskJsonEncoding,
  pypiFlaskJsonMemory,
  pypiPandas,
  pypiCryptography,
  pypiFlaskSessionCookie,
  pypiRequests,
  pypiIdna,
  rubygemsActivesupportWithdrawn,
} satisfies Record<string, unknown>;

export type OsvFixtureName = keyof typeof osvFixtures;

/** Parses JSON that must be a valid record, failing the test with the reason otherwise. */
export function parsed(json: unknown): OsvRecord {
  const result = parseOsvRecord(json);
  if ("problem" in result) throw new Error(`${result.problem.id ?? "record"}: ${result.problem.reason}`);
  return result.record;
}

/** Parses one of the fixture records. */
export function fixture(name: OsvFixtureName): OsvRecord {
  return parsed(osvFixtures[name]);
}

type JsonPath = ReadonlyArray<string | number>;

/**
 * Returns a deep copy of JSON with the value at path set, or removed when value is
 * undefined. Tests use it to derive a changed record from a real one.
 */
export function withChange(json: unknown, path: JsonPath, value: unknown): unknown {
  const copy: unknown = structuredClone(json);
  const parentPath = path.slice(0, -1);
  const key = path.at(-1);
  let parent: unknown = copy;
  for (const step of parentPath) {
    parent = (parent as Record<string | number, unknown>)[step];
  }
  if (typeof parent !== "object" || parent === null || key === undefined) {
    throw new Error(`no object at ${parentPath.join(".")} to change`);
  }
  const container = parent as Record<string | number, unknown>;
  if (value === undefined) delete container[key];
  else container[key] = value;
  return copy;
}

/** Applies several changes in turn, each as [path, value]. */
export function withChanges(json: unknown, changes: ReadonlyArray<readonly [JsonPath, unknown]>): unknown {
  return changes.reduce((changed, [path, value]) => withChange(changed, path, value), json);
}
