import { describe, expect, test } from "vitest";
import { parseOsvRecord } from "@/scoring/advisories/osv-record";
import { type OsvFixtureName, osvFixtures, parsed, withChange, withChanges } from "@/scoring/advisories/testdata/records";

const fixtureNames = Object.keys(osvFixtures) as OsvFixtureName[];

describe("parseOsvRecord", () => {
  test.each(fixtureNames)("accepts the real record %s", (name) => {
    const json = osvFixtures[name];
    const result = parseOsvRecord(json);

    expect(result).toHaveProperty("record");
    if (!("record" in result)) return;
    expect(result.record.id).toBe(json.id);
    expect(result.record.affected).toHaveLength(json.affected.length);
  });

  test("accepts JSON text", () => {
    const result = parseOsvRecord(JSON.stringify(osvFixtures.debianNginxDsa));

    expect(result).toHaveProperty("record.id", "DSA-3029-1");
  });

  test("reads null and missing lists as empty", () => {
    const record = parsed(osvFixtures.alpineLibexif);

    expect(osvFixtures.alpineLibexif.affected[0]?.versions).toBeNull();
    expect(record.affected[0]?.versions).toEqual([]);
    expect(record.aliases).toEqual([]);
    expect(record.severity).toEqual([]);
  });

  test("keeps an entry without a package", () => {
    const record = parsed(osvFixtures.alpineOpenssl);
    const gitOnly = record.affected[6];

    expect(gitOnly?.package).toBeUndefined();
    expect(gitOnly?.ranges[0]?.type).toBe("GIT");
  });

  test("keeps the fields matching uses", () => {
    const record = parsed(osvFixtures.rubygemsActivesupportWithdrawn);

    expect(record.withdrawn).toBe("2018-10-11T17:29:49Z");
    expect(record.aliases).toEqual(["CVE-2015-3227"]);
    expect(record.affected[0]?.database_specific).toEqual({ ghsa: "https://github.com/advisories/GHSA-35c4-f3rq-f9g3", cwes: [] });
    expect(parsed(osvFixtures.ubuntuLinux).upstream).toEqual(["CVE-2025-38094"]);
    expect(parsed(osvFixtures.debianUnixodbc).affected[0]?.ecosystem_specific).toEqual({ urgency: "unimportant" });
  });

  test("drops references and credits", () => {
    const record = parsed(osvFixtures.goGin);

    expect(record).not.toHaveProperty("references");
    expect(record).not.toHaveProperty("credits");
  });
});

describe("parseOsvRecord on malformed records", () => {
  const nginx = osvFixtures.debianNginxDsa;
  const events = ["affected", 0, "ranges", 0, "events"] as const;

  test.each([
    { name: "a number", json: 42, id: null, reason: "invalid OSV record: the record must be a JSON object" },
    { name: "an array", json: [nginx], id: null, reason: "invalid OSV record: the record must be a JSON object" },
    { name: "invalid JSON text", json: '{"id": "DSA-3029-1",', id: null, reason: /^invalid JSON: / },
    { name: "a missing id", json: withChange(nginx, ["id"], undefined), id: null, reason: /id is missing \(it must be the record id/ },
    { name: "an empty id", json: withChange(nginx, ["id"], ""), id: null, reason: /id must be the record id, such as GHSA-xxxx-xxxx-xxxx, not empty/ },
    { name: "a missing modified time", json: withChange(nginx, ["modified"], undefined), id: "DSA-3029-1", reason: /modified is missing \(it must be an RFC 3339 time stamp/ },
    { name: "a date without a time", json: withChange(nginx, ["withdrawn"], "2014-09-20"), id: "DSA-3029-1", reason: /withdrawn must be an RFC 3339 time stamp/ },
    { name: "aliases that are not a list", json: withChange(nginx, ["aliases"], "CVE-2014-3616"), id: "DSA-3029-1", reason: /aliases must be an array/ },
    { name: "a package without a name", json: withChange(nginx, ["affected", 0, "package", "name"], undefined), id: "DSA-3029-1", reason: /affected\[0\]\.package\.name is missing \(it must be a package name\)/ },
    { name: "an unknown range type", json: withChange(nginx, ["affected", 0, "ranges", 0, "type"], "SEMVER2"), id: "DSA-3029-1", reason: /affected\[0\]\.ranges\[0\]\.type must be one of ECOSYSTEM, SEMVER, GIT/ },
    { name: "an event with two kinds", json: withChange(nginx, [...events, 1], { introduced: "1.0", fixed: "1.2" }), id: "DSA-3029-1", reason: /affected\[0\]\.ranges\[0\]\.events\[1\] must be an object with exactly one of introduced, fixed, last_affected or limit/ },
    { name: "an event with a number", json: withChange(nginx, [...events, 1], { fixed: 3 }), id: "DSA-3029-1", reason: /events\[1\] must be an object with exactly one of/ },
    { name: "a range without introduced", json: withChange(nginx, [...events], [{ fixed: "1.2.1-2.2+wheezy3" }]), id: "DSA-3029-1", reason: /affected\[0\]\.ranges\[0\]\.events must have at least one "introduced" event/ },
  ])("reports $name", ({ json, id, reason }) => {
    const result = parseOsvRecord(json);

    expect(result).toHaveProperty("problem");
    if (!("problem" in result)) return;
    expect(result.problem.id).toBe(id);
    if (typeof reason === "string") expect(result.problem.reason).toBe(reason);
    else expect(result.problem.reason).toMatch(reason);
  });

  test("accepts a GIT range without introduced", () => {
    const json = withChange(osvFixtures.pypiRequests, ["affected", 0, "ranges", 0, "events"], [{ fixed: "74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5" }]);

    expect(parseOsvRecord(json)).toHaveProperty("record");
  });

  test("lists three issues and counts the rest", () => {
    const json = withChanges(nginx, [
      [["modified"], undefined],
      [["aliases"], 7],
      [["summary"], 7],
      [["details"], 7],
      [["published"], 7],
    ]);
    const result = parseOsvRecord(json);

    expect(result).toHaveProperty("problem");
    if (!("problem" in result)) return;
    expect(result.problem.reason.split("; ")).toHaveLength(3);
    expect(result.problem.reason).toMatch(/ \(and 2 more\)$/);
  });
});
