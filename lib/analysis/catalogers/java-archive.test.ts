import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";

import { javaArchiveCataloger } from "@/lib/analysis/catalogers/java-archive";
import { bundleLicenseEntries, licenseFromUrlOrName, parseManifest, pomLicenseNames } from "@/lib/analysis/catalogers/java-archive-metadata";
import type { CatalogedPackage } from "@/lib/analysis/types";

const TESTDATA = fileURLToPath(new URL("./testdata/java/", import.meta.url));
const NO_OS = { os: null };

function fixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(`${TESTDATA}${file}`));
}

interface ExpectedCase {
  file: string;
  packages: Array<{ name: string; version: string; path_in_archive: string; licenses_trivy?: string[] }>;
}

const expectedCases = (JSON.parse(readFileSync(`${TESTDATA}expected.json`, "utf8")) as { cases: ExpectedCase[] }).cases;

function maven(name: string, version: string, path: string, licenseDeclared: string[] = [], license: string | null = null): CatalogedPackage {
  const [group, artifact] = name.split(":") as [string, string];
  return {
    type: "maven",
    name,
    version,
    purl: `pkg:maven/${group}/${encodeURIComponent(artifact)}@${version}`,
    license,
    licenseDeclared,
    path,
  };
}

const APACHE_URL = "http://www.apache.org/licenses/LICENSE-2.0.txt";
const APACHE_NAME = "The Apache Software License, Version 2.0";

describe("javaArchiveCataloger.parse fixtures", () => {
  const cases: Array<{ file: string; packages: (path: string) => CatalogedPackage[] }> = [
    {
      file: "gradle.war",
      packages: (path) => [
        maven("commons-dbcp:commons-dbcp", "1.4", `${path}!/WEB-INF/lib/commons-dbcp-1.4.jar`, [APACHE_URL], "Apache-2.0"),
        maven("commons-pool:commons-pool", "1.6", `${path}!/WEB-INF/lib/commons-pool-1.6.jar`, [APACHE_URL], "Apache-2.0"),
        maven("log4j:log4j", "1.2.17", `${path}!/WEB-INF/lib/log4j-1.2.17.jar`, [APACHE_NAME], "Apache-2.0"),
        maven("org.apache.commons:commons-compress", "1.19", `${path}!/WEB-INF/lib/commons-compress-1.19.jar`, ["https://www.apache.org/licenses/LICENSE-2.0.txt"], "Apache-2.0"),
      ],
    },
    {
      file: "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar",
      packages: (path) => [
        maven("com.google.guava:failureaccess", "1.0.1", path),
        maven("com.google.guava:guava", "29.0-jre", path),
        maven("com.google.guava:listenablefuture", "9999.0-empty-to-avoid-conflict-with-guava", path),
        maven("com.google.j2objc:j2objc-annotations", "1.3", path, [APACHE_NAME], "Apache-2.0"),
        maven("org.apache.hadoop.thirdparty:hadoop-shaded-guava", "1.1.0-SNAPSHOT", path),
      ],
    },
    {
      file: "nested.jar",
      packages: (path) => [
        maven("test:nested", "0.0.1", path),
        maven("test:nested2", "0.0.2", `${path}!/META-INF/jars/nested2.jar`),
        maven("test:nested3", "0.0.3", `${path}!/META-INF/jars/nested2.jar!/META-INF/jars/nested3.jar`),
      ],
    },
    {
      file: "license-from-jenkins-plugin.jar",
      packages: (path) => [maven("com.example:jenkins-plugin", "1.0.0", path, ["Apache License, Version 2.0", "MIT License"], "Apache-2.0 AND MIT")],
    },
    { file: "multi-license-1.0.0.jar", packages: (path) => [maven("com.example:multi-license", "1.0.0", path)] },
    // Coordinates from the manifest only: Bundle-SymbolicName gives the group, Implementation-Title the artifact.
    { file: "test.jar", packages: (path) => [maven("org.springframework:Spring Framework", "2.5.6.SEC03", path)] },
  ];

  it.each(cases)("reads $file", ({ file, packages }) => {
    const path = `/app/lib/${file}`;

    const result = javaArchiveCataloger.parse(new Map([[path, fixture(file)]]), NO_OS);

    expect(result.problems).toEqual([]);
    const byName = (a: CatalogedPackage, b: CatalogedPackage) => a.name.localeCompare(b.name);
    expect([...result.packages].sort(byName)).toEqual(packages(path).sort(byName));
  });

  it.each(expectedCases)("agrees with expected.json on $file", ({ file, packages }) => {
    const path = `/srv/${file}`;
    const { packages: actual } = javaArchiveCataloger.parse(new Map([[path, fixture(file)]]), NO_OS);

    const facts = packages.map((pkg) => ({
      name: pkg.name,
      version: pkg.version,
      path: pkg.path_in_archive === "." ? path : `${path}!/${pkg.path_in_archive.replace(/\.jar\//g, ".jar!/")}`,
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(actual.map(({ name, version, path: where }) => ({ name, version, path: where })).sort(byName)).toEqual(facts.sort(byName));
  });

  // trivy's licenses are names. Where trivy gives an SPDX id, Shipshape's normalised expression agrees.
  it.each(expectedCases)("agrees with trivy's SPDX licenses on $file", ({ file, packages }) => {
    const { packages: actual } = javaArchiveCataloger.parse(new Map([[`/srv/${file}`, fixture(file)]]), NO_OS);

    for (const fact of packages) {
      const pkg = actual.find((candidate) => candidate.name === fact.name);
      if (fact.licenses_trivy?.length === 1 && fact.licenses_trivy[0] === "Apache-2.0") expect(pkg?.license).toBe("Apache-2.0");
      if (fact.licenses_trivy === undefined) expect(pkg?.license).toBeNull();
    }
  });
});

describe("javaArchiveCataloger.parse bad input", () => {
  const text = (value: string) => new TextEncoder().encode(value);
  const pomProperties = (group: string, artifact: string, version: string) => text(`groupId=${group}\nartifactId=${artifact}\nversion=${version}\n`);

  it("reports a truncated archive", () => {
    const truncated = fixture("multi-license-1.0.0.jar").subarray(0, 4000);

    const result = javaArchiveCataloger.parse(new Map([["/app/app.jar", truncated]]), NO_OS);

    expect(result.packages).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.path).toBe("/app/app.jar");
    expect(result.problems[0]?.message).toMatch(/^Java archive could not be read as a zip file: /);
  });

  it("reports a corrupt nested jar and keeps the rest", () => {
    const war = zipSync({
      "WEB-INF/lib/good-1.0.jar": zipSync({ "META-INF/maven/org.example/good/pom.properties": pomProperties("org.example", "good", "1.0") }),
      "WEB-INF/lib/bad-2.0.jar": text("this is not a zip file"),
    });

    const result = javaArchiveCataloger.parse(new Map([["/app/app.war", war]]), NO_OS);

    expect(result.packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(["org.example:good@1.0"]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.path).toBe("/app/app.war!/WEB-INF/lib/bad-2.0.jar");
  });

  it("stops at the nesting depth limit", () => {
    let archive = zipSync({ "META-INF/maven/org.example/deep/pom.properties": pomProperties("org.example", "deep", "6") });
    for (let level = 5; level >= 1; level--) {
      archive = zipSync({
        [`META-INF/maven/org.example/level${level}/pom.properties`]: pomProperties("org.example", `level${level}`, String(level)),
        [`lib/level${level + 1}.jar`]: archive,
      });
    }

    const result = javaArchiveCataloger.parse(new Map([["/app/level0.jar", archive]]), NO_OS);

    expect(result.packages.map((pkg) => pkg.name)).toEqual(["org.example:level1", "org.example:level2", "org.example:level3", "org.example:level4", "org.example:level5"]);
    expect(result.problems).toEqual([
      { path: "/app/level0.jar!/lib/level2.jar!/lib/level3.jar!/lib/level4.jar!/lib/level5.jar", message: "skipped archive entry lib/level6.jar (nested deeper than 4 archives)" },
    ]);
  });

  it("skips an oversized metadata entry", () => {
    const jar = zipSync({
      "META-INF/MANIFEST.MF": new Uint8Array(2 * 1024 * 1024).fill(0x41),
      "META-INF/maven/org.example/app/pom.properties": pomProperties("org.example", "app", "1.0"),
    });

    const result = javaArchiveCataloger.parse(new Map([["/app/app-1.0.jar", jar]]), NO_OS);

    expect(result.packages.map((pkg) => pkg.name)).toEqual(["org.example:app"]);
    expect(result.problems).toEqual([{ path: "/app/app-1.0.jar", message: "skipped archive entry META-INF/MANIFEST.MF (2097152 bytes exceed the limit)" }]);
  });

  it("reports a pom.properties without a version", () => {
    const jar = zipSync({ "META-INF/maven/org.example/app/pom.properties": text("groupId=org.example\nartifactId=app\n") });

    const result = javaArchiveCataloger.parse(new Map([["/app/app.jar", jar]]), NO_OS);

    expect(result.packages).toEqual([]);
    expect(result.problems).toEqual([{ path: "/app/app.jar", message: "META-INF/maven/org.example/app/pom.properties lacks groupId, artifactId or version" }]);
  });
});

describe("java archive metadata", () => {
  it("joins manifest continuation lines", () => {
    const manifest = parseManifest("Manifest-Version: 1.0\r\nImplementation-URL: https://example.org/lon\r\n g/path\r\n\r\nName: other\r\nImplementation-Title: x\r\n");

    expect(manifest.get("Implementation-URL")).toBe("https://example.org/long/path");
    expect(manifest.has("Implementation-Title")).toBe(false);
  });

  it("reads POM license names", () => {
    const xml = "<project><!-- <licenses><license><name>Wrong</name></license></licenses> --><licenses><license><name>Apache &amp; MIT</name></license><license><name>EPL</name></license></licenses></project>";

    expect(pomLicenseNames(xml)).toEqual(["Apache & MIT", "EPL"]);
  });

  const bundleCases: Array<{ header: string; entries: string[] }> = [
    { header: "http://www.apache.org/licenses/LICENSE-2.0.txt", entries: ["http://www.apache.org/licenses/LICENSE-2.0.txt"] },
    { header: 'Apache-2.0;link="https://www.apache.org/licenses/LICENSE-2.0", EPL-2.0', entries: ["Apache-2.0", "EPL-2.0"] },
  ];

  it.each(bundleCases)("splits Bundle-License $header", ({ header, entries }) => {
    expect(bundleLicenseEntries(header)).toEqual(entries);
  });

  const urlCases: Array<{ entry: string; license: string | null }> = [
    { entry: "https://www.apache.org/licenses/LICENSE-2.0.html", license: "Apache-2.0" },
    { entry: "http://opensource.org/licenses/MIT", license: "MIT" },
    { entry: "https://example.org/our-license", license: null },
    { entry: "Apache-2.0", license: "Apache-2.0" },
  ];

  it.each(urlCases)("maps $entry", ({ entry, license }) => {
    expect(licenseFromUrlOrName(entry)).toBe(license);
  });
});

describe("javaArchiveCataloger.wants", () => {
  const cases: Array<{ path: string; wanted: boolean }> = [
    { path: "/app/app.jar", wanted: true },
    { path: "/usr/local/tomcat/webapps/ROOT.war", wanted: true },
    { path: "/opt/app/app.ear", wanted: true },
    { path: "/var/jenkins_home/plugins/git.jpi", wanted: true },
    { path: "/app/app.jar.sha1", wanted: false },
    { path: "/app/classes/App.class", wanted: false },
  ];

  it.each(cases)("returns $wanted for $path", ({ path, wanted }) => {
    expect(javaArchiveCataloger.wants(path)).toBe(wanted);
  });
});
