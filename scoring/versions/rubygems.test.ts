// Checks rubygemsOrdering against the behaviour of RubyGems' Gem::Version (lib/rubygems/version.rb).
import { describe, expect, it } from "vitest";
import { InvalidVersionError } from "./invalid-version-error";
import { rubygemsOrdering } from "./rubygems";
import { signOf } from "./testdata/parse-vector-table";

describe("RubyGems ordering", () => {
  it.each([
    ["1.0.0.rc1", "1.0.0"],
    ["1.0.0.a", "1.0.0.b"],
    ["1.0.0.pre", "1.0.0.rc"],
    ["1.0.0.beta.2", "1.0.0.beta.10"],
    ["1.0.0.rc1", "1.0.0.rc2"],
    ["1.0.0.RC1", "1.0.0.rc1"],
    ["1.0.0-1", "1.0.0"],
    ["1.0.0", "1.0.0.1"],
    ["1.9", "1.10"],
    ["2.0.0.alpha", "2.0.0.0.1"],
    ["0.9", "1.0.a"],
    ["1.2.3", "123456789012345678901234567890"],
  ])("%s < %s", (lower, higher) => {
    expect(signOf(rubygemsOrdering.compare(lower, higher))).toBe(-1);
    expect(signOf(rubygemsOrdering.compare(higher, lower))).toBe(1);
  });

  it.each([
    ["1.0", "1.0.0"],
    ["1", "1.0.0.0"],
    ["1.0a", "1.0.a"],
    ["1.0.a.0", "1.0.a"],
    ["1.0.0-rc1", "1.0.0.pre.rc1"],
    ["01.2", "1.2"],
    [" 1.2.3 ", "1.2.3"],
  ])("%j equals %j", (left, right) => {
    expect(rubygemsOrdering.compare(left, right)).toBe(0);
  });

  it.each(["", "  ", "junk", ".1", "1..2", "1.0-", "1.0.", "1.2.3 4", "1.0\n2.0", "1.0+build", "v1.0"])("rejects %j", (version) => {
    expect(rubygemsOrdering.isValid(version)).toBe(false);
    expect(() => rubygemsOrdering.compare(version, "1.0")).toThrow(InvalidVersionError);
    expect(() => rubygemsOrdering.compare("1.0", version)).toThrow(`Invalid rubygems version ${JSON.stringify(version)}`);
  });
});
