import { describe, expect, test } from "vitest";
import type { OsvRecord } from "@/scoring/advisories/osv-record";
import { cvssBaseScore, type CvssSeverityType, levelForScore, type Severity, severityFor, type SeverityLevel } from "@/scoring/advisories/severity";
import { fixture, osvFixtures, parsed, withChange, withChanges } from "@/scoring/advisories/testdata/records";

/** Rates records as the matcher does: each with its affected entries for the given ecosystem. */
function rate(ecosystem: string, ...records: OsvRecord[]): Severity {
  return severityFor(
    ecosystem,
    records.map((record) => ({ record, affected: record.affected.filter((entry) => entry.package?.ecosystem === ecosystem) })),
  );
}

const criticalV3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

describe("levelForScore", () => {
  test.each<[number, SeverityLevel]>([
    [10.0, "critical"],
    [9.0, "critical"],
    [8.9, "high"],
    [7.0, "high"],
    [6.9, "medium"],
    [4.0, "medium"],
    [3.9, "low"],
    [0.1, "low"],
    [0.0, "none"],
  ])("rates %d as %s", (score, level) => {
    expect(levelForScore(score)).toBe(level);
  });
});

describe("cvssBaseScore", () => {
  test.each<[string, CvssSeverityType, string, number | null]>([
    ["CVSS 3.1", "CVSS_V3", criticalV3, 9.8],
    ["CVSS 3.0", "CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5],
    ["CVSS 3.1 ignoring temporal metrics", "CVSS_V3", `${criticalV3}/E:U/RL:O`, 9.8],
    ["CVSS 3.1 without impact", "CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0],
    ["CVSS 4.0", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3],
    ["CVSS 4.0 ignoring threat metrics", "CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 9.3],
    ["CVSS 2.0", "CVSS_V2", "AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0],
    ["a v4 vector under CVSS_V3", "CVSS_V3", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", null],
    ["a v3 vector under CVSS_V2", "CVSS_V2", criticalV3, null],
    ["a v2 vector under CVSS_V3", "CVSS_V3", "AV:N/AC:L/Au:N/C:N/I:N/A:P", null],
    ["an incomplete vector", "CVSS_V3", "CVSS:3.1/AV:N/AC:L", null],
    ["an unknown metric value", "CVSS_V3", "CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", null],
    ["text that is no vector", "CVSS_V4", "HIGH", null],
  ])("scores %s", (_name, type, vector, score) => {
    expect(cvssBaseScore(type, vector)).toBe(score);
  });
});

describe("severityFor from CVSS vectors", () => {
  test("uses CVSS v3 when it is the only vector", () => {
    expect(rate("PyPI", fixture("pypiIdna"))).toEqual({
      level: "high",
      score: 7.5,
      source: { recordId: "PYSEC-2024-60", field: "severity[CVSS_V3]", value: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" },
    });
  });

  test("prefers CVSS v4 over a higher v3 score", () => {
    // GitHub's own rating is removed so that the vectors decide. The v3 vector scores 8.9.
    const dnsjava = parsed(withChange(osvFixtures.mavenDnsjava, ["database_specific", "severity"], undefined));

    expect(rate("Maven", dnsjava)).toEqual({
      level: "high",
      score: 7.0,
      source: { recordId: "GHSA-cfxw-4h78-h7fw", field: "severity[CVSS_V4]", value: "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:H/SA:L" },
    });
  });

  test("prefers CVSS v4 listed after v3", () => {
    const commonsCompress = parsed(withChange(osvFixtures.mavenCommonsCompress, ["database_specific", "severity"], undefined));

    expect(rate("Maven", commonsCompress)).toMatchObject({ level: "medium", score: 6.7, source: { field: "severity[CVSS_V4]" } });
  });

  test("uses CVSS v2 when it is the only vector", () => {
    const idna = parsed(withChange(osvFixtures.pypiIdna, ["severity"], [{ type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:N/I:N/A:P" }]));

    expect(rate("PyPI", idna)).toEqual({
      level: "medium",
      score: 5.0,
      source: { recordId: "PYSEC-2024-60", field: "severity[CVSS_V2]", value: "AV:N/AC:L/Au:N/C:N/I:N/A:P" },
    });
  });

  test("prefers CVSS v3 over a higher v2 score", () => {
    const severity = [
      { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:C/I:C/A:C" },
      { type: "CVSS_V3", score: "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N" },
    ];
    const idna = parsed(withChange(osvFixtures.pypiIdna, ["severity"], severity));

    expect(rate("PyPI", idna)).toMatchObject({ level: "medium", score: 4.7, source: { field: "severity[CVSS_V3]" } });
  });

  test("takes the highest score of one version", () => {
    const idna = fixture("pypiIdna");
    const critical = parsed(withChanges(osvFixtures.pypiIdna, [[["id"], "PYSEC-2024-9999"], [["severity"], [{ type: "CVSS_V3", score: criticalV3 }]]]));

    expect(rate("PyPI", idna, critical)).toMatchObject({ level: "critical", score: 9.8, source: { recordId: "PYSEC-2024-9999" } });
  });

  test("reads a package's own severity", () => {
    const idna = parsed(
      withChanges(osvFixtures.pypiIdna, [
        [["severity"], undefined],
        [["affected", 0, "severity"], [{ type: "CVSS_V3", score: criticalV3 }]],
      ]),
    );

    expect(rate("PyPI", idna)).toMatchObject({ level: "critical", source: { field: "affected[].severity[CVSS_V3]" } });
  });

  test("skips an invalid vector", () => {
    const idna = parsed(withChange(osvFixtures.pypiIdna, ["severity"], [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N" }]));

    expect(rate("PyPI", idna)).toEqual({ level: "unspecified", score: null, source: null });
  });

  test("uses CVSS for Alpine, which has no rating of its own", () => {
    const openssl = parsed(withChange(osvFixtures.alpineOpenssl, ["database_specific"], { severity: "critical" }));

    expect(rate("Alpine:v3.8", openssl)).toEqual({
      level: "medium",
      score: 4.7,
      source: { recordId: "CVE-2018-5407", field: "severity[CVSS_V3]", value: "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N" },
    });
  });
});

describe("severityFor from a database's own rating", () => {
  test("uses GitHub's rating for a language package", () => {
    expect(rate("Go", fixture("ghsaGogoProtobuf"))).toEqual({
      level: "high",
      score: null,
      source: { recordId: "GHSA-c3h9-896r-86jm", field: "database_specific.severity", value: "HIGH" },
    });
  });

  test("maps GitHub's MODERATE to medium", () => {
    expect(rate("Go", fixture("ghsaBitfield"))).toMatchObject({ level: "medium", source: { value: "MODERATE" } });
  });

  test("lets GitHub's rating win over CVSS", () => {
    // The real record rates CRITICAL with a 9.8 vector, so the rating is lowered to tell them apart.
    const gradio = parsed(withChange(osvFixtures.pypiGradio, ["database_specific", "severity"], "LOW"));

    expect(rate("PyPI", gradio)).toEqual({
      level: "low",
      score: null,
      source: { recordId: "GHSA-9v2f-6vcg-3hgv", field: "database_specific.severity", value: "LOW" },
    });
  });

  test("ignores a severity field outside GHSA records", () => {
    const idna = parsed(withChange(osvFixtures.pypiIdna, ["database_specific"], { severity: "LOW" }));

    expect(rate("PyPI", idna)).toMatchObject({ level: "high", source: { field: "severity[CVSS_V3]" } });
  });

  test("uses Debian's urgency", () => {
    expect(rate("Debian:10", fixture("debianChromium"))).toEqual({
      level: "low",
      score: null,
      source: { recordId: "CVE-2024-3847", field: "affected[].ecosystem_specific.urgency", value: "low" },
    });
  });

  test("rates Debian's unimportant as low", () => {
    expect(rate("Debian:10", fixture("debianUnixodbc"))).toMatchObject({ level: "low", source: { value: "unimportant" } });
  });

  test("lets Debian's urgency win over CVSS", () => {
    const unixodbc = parsed(withChange(osvFixtures.debianUnixodbc, ["severity"], [{ type: "CVSS_V3", score: criticalV3 }]));

    expect(rate("Debian:10", unixodbc)).toMatchObject({ level: "low", score: null, source: { value: "unimportant" } });
  });

  test("falls back to CVSS for a Debian urgency not yet assigned", () => {
    const unixodbc = parsed(
      withChanges(osvFixtures.debianUnixodbc, [
        [["affected", 0, "ecosystem_specific", "urgency"], "not yet assigned"],
        [["severity"], [{ type: "CVSS_V3", score: criticalV3 }]],
      ]),
    );

    expect(rate("Debian:10", unixodbc)).toMatchObject({ level: "critical", score: 9.8, source: { field: "severity[CVSS_V3]" } });
  });

  test("reads a Debian database_specific severity", () => {
    const nginx = parsed(withChange(osvFixtures.debianNginxDsa, ["database_specific"], { severity: "high" }));

    expect(rate("Debian:7", nginx)).toMatchObject({ level: "high", source: { field: "database_specific.severity" } });
  });

  test("takes the worst Debian rating of several records", () => {
    const nginx = parsed(withChange(osvFixtures.debianNginxDsa, ["affected", 0, "ecosystem_specific"], { urgency: "medium" }));
    const nginxHigh = parsed(
      withChanges(osvFixtures.debianNginxDsa, [
        [["id"], "DEBIAN-CVE-2014-3616"],
        [["affected", 0, "ecosystem_specific"], { urgency: "high" }],
      ]),
    );

    expect(rate("Debian:7", nginx, nginxHigh)).toMatchObject({ level: "high", source: { recordId: "DEBIAN-CVE-2014-3616" } });
  });

  test("uses Ubuntu's priority", () => {
    expect(rate("Ubuntu:Pro:14.04:LTS", fixture("ubuntuLinux"))).toEqual({
      level: "medium",
      score: null,
      source: { recordId: "UBUNTU-CVE-2025-38094", field: "severity[Ubuntu]", value: "medium" },
    });
  });
});

describe("severityFor without any rating", () => {
  test.each([
    ["an Alpine record", "Alpine:v3.10", "alpineLibexif"],
    ["a Go record", "Go", "goGin"],
    ["a PyPI record", "PyPI", "pypiFlaskJsonEncoding"],
  ] as const)("returns unspecified for %s", (_name, ecosystem, name) => {
    expect(rate(ecosystem, fixture(name))).toEqual({ level: "unspecified", score: null, source: null });
  });

  test("returns unspecified for Debian without urgency", () => {
    const unixodbc = parsed(withChange(osvFixtures.debianUnixodbc, ["affected", 0, "ecosystem_specific"], undefined));

    expect(rate("Debian:10", unixodbc)).toEqual({ level: "unspecified", score: null, source: null });
  });
});
