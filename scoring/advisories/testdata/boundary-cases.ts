/**
 * Versions just below, at and above each boundary of the fixture records, with the
 * expected result. The unit tests run them with the test orderings, and the integration
 * test with the orderings of scoring/versions.
 */
import { type AffectedResult, isAffected } from "@/scoring/advisories/affected-range";
import type { OrderingForEcosystem } from "@/scoring/advisories/match-packages";
import { fixture, type OsvFixtureName } from "@/scoring/advisories/testdata/records";

/** [fixture, index of the affected entry, installed version, affected, fixed version reported]. */
export type BoundaryCase = [OsvFixtureName, number, string, boolean, string | null];

export const boundaryCases = {
  alpine: [
    ["alpineMariadb", 0, "10.4.24-r0", true, "10.4.25-r0"],
    ["alpineMariadb", 0, "10.4.25-r0", false, null],
    ["alpineMariadb", 0, "10.4.25-r1", false, null],
    ["alpineMariadb", 3, "10.6.7-r3", true, "10.6.8-r0"],
    ["alpineMariadb", 3, "10.6.8-r0", false, null],
    ["alpineMariadb", 3, "10.6.9-r0", false, null],
    ["alpineOpenssl", 5, "1.0.2p-r0", true, "1.0.2q-r0"],
    ["alpineOpenssl", 5, "1.0.2q-r0", false, null],
    ["alpineOpenssl", 5, "1.0.2r-r0", false, null],
    ["alpineLibexif", 0, "0.6.20-r3", true, "0.6.21-r0"],
    ["alpineLibexif", 0, "0.6.21-r0", false, null],
    ["alpineLibexif", 0, "0.6.21-r1", false, null],
  ],
  debianAndUbuntu: [
    ["debianNginxDsa", 0, "1.2.1-2.2+wheezy2", true, "1.2.1-2.2+wheezy3"],
    ["debianNginxDsa", 0, "1.2.1-2.2+wheezy3~1", true, "1.2.1-2.2+wheezy3"],
    ["debianNginxDsa", 0, "1.2.1-2.2+wheezy3", false, null],
    ["debianNginxDsa", 0, "1.2.1-2.2+wheezy4", false, null],
    ["debianNginxDsa", 0, "1:0.1-1", false, null],
    ["debianUnixodbc", 0, "2.3.6-0.1", true, null],
    ["debianUnixodbc", 0, "99:9.9-9", true, null],
    ["debianChromium", 1, "120.0.6099.224-1~deb11u1", true, null],
    ["ubuntuLinux", 0, "3.13.0-206.257", true, null],
    ["ubuntuLinux", 0, "3.13.0-999.999", true, null],
  ],
  go: [
    // stdlib: [0, 1.17.10) and [1.18.0-0, 1.18.2). "1.18.0-0" takes in the 1.18 pre-releases.
    ["goStdlibFaccessat", 0, "1.17.9", true, "1.17.10"],
    ["goStdlibFaccessat", 0, "1.17.10", false, null],
    ["goStdlibFaccessat", 0, "1.17.11", false, null],
    ["goStdlibFaccessat", 0, "1.18.0-0", true, "1.18.2"],
    ["goStdlibFaccessat", 0, "1.18.0-beta1", true, "1.18.2"],
    ["goStdlibFaccessat", 0, "v1.18.1", true, "1.18.2"],
    ["goStdlibFaccessat", 0, "1.18.2", false, null],
    ["goStdlibFaccessat", 0, "1.18.3", false, null],
    ["goStdlibExpectContinue", 0, "1.21.11", true, "1.21.12"],
    ["goStdlibExpectContinue", 0, "1.21.12", false, null],
    ["goStdlibExpectContinue", 0, "1.22.0-rc.1", true, "1.22.5"],
    ["goStdlibExpectContinue", 0, "1.22.4", true, "1.22.5"],
    ["goStdlibExpectContinue", 0, "1.22.5", false, null],
    ["goStdlibExpectContinue", 0, "1.23.0", false, null],
    // golang.org/x/sys, fixed at a pseudo-version.
    ["goStdlibFaccessat", 1, "v0.0.0-20210101000000-abcdefabcdef", true, "0.0.0-20220412211240-33da011f77ad"],
    ["goStdlibFaccessat", 1, "v0.0.0-20220412211239-ffffffffffff", true, "0.0.0-20220412211240-33da011f77ad"],
    ["goStdlibFaccessat", 1, "v0.0.0-20220412211240-33da011f77ad", false, null],
    ["goStdlibFaccessat", 1, "v0.0.0-20220413000000-000000000000", false, null],
    ["goStdlibFaccessat", 1, "v0.1.0", false, null],
    ["goGin", 0, "v1.5.0", true, "1.6.0"],
    ["goGin", 0, "v1.6.0", false, null],
    ["goGin", 0, "v1.6.3", false, null],
    ["ghsaBitfield", 0, "v0.9.0", false, null],
    ["ghsaBitfield", 0, "v1.0.0", true, "1.1.0"],
    ["ghsaBitfield", 0, "v1.1.0", false, null],
  ],
  maven: [
    ["mavenGuava", 0, "10.0.1", false, null],
    ["mavenGuava", 0, "11.0", true, "24.1.1-android"],
    ["mavenGuava", 0, "24.1", true, "24.1.1-android"],
    ["mavenGuava", 0, "24.1.1", true, "24.1.1-android"],
    ["mavenGuava", 0, "24.1.1-jre", false, null],
    ["mavenGuava", 0, "25.0", false, null],
    // last_affected is inclusive and names no fix.
    ["mavenGuava", 1, "16.0", true, null],
    ["mavenGuava", 1, "17.0", true, null],
    ["mavenGuava", 1, "17.0.1", false, null],
    // An entry with only a versions list.
    ["mavenGuava", 5, "0.11.1", true, null],
    ["mavenGuava", 5, "0.11.2", false, null],
    ["mavenAtomix", 0, "3.1.4", true, null],
    ["mavenAtomix", 0, "3.1.5", true, null],
    ["mavenAtomix", 0, "3.1.6", false, null],
    ["mavenJacksonDatabind", 1, "2.6.7.4", false, null],
    ["mavenJacksonDatabind", 1, "2.7.0", true, "2.9.10.7"],
    ["mavenJacksonDatabind", 1, "2.9.10.6", true, "2.9.10.7"],
    ["mavenJacksonDatabind", 1, "2.9.10.7", false, null],
    ["mavenJacksonDatabind", 1, "2.9.10.8", false, null],
    // Events listed out of order: [12.10.0, 12.10.2), [12.0, 12.6.7), [11.6.1, 11.10.13).
    ["mavenXwiki", 0, "11.6.0", false, null],
    ["mavenXwiki", 0, "11.6.1", true, "11.10.13"],
    ["mavenXwiki", 0, "11.10.13", false, null],
    ["mavenXwiki", 0, "12.0", true, "12.6.7"],
    ["mavenXwiki", 0, "12.6.7", false, null],
    ["mavenXwiki", 0, "12.9", false, null],
    ["mavenXwiki", 0, "12.10.1", true, "12.10.2"],
    ["mavenXwiki", 0, "12.10.2", false, null],
  ],
  npm: [
    // Events listed out of order: [0, 1.3.2) and [2.0.0, 2.0.1).
    ["npmMixinDeep", 0, "1.3.1", true, "1.3.2"],
    ["npmMixinDeep", 0, "1.3.2", false, null],
    ["npmMixinDeep", 0, "1.3.3", false, null],
    ["npmMixinDeep", 0, "1.99.0", false, null],
    ["npmMixinDeep", 0, "2.0.0", true, "2.0.1"],
    ["npmMixinDeep", 0, "2.0.1", false, null],
    ["npmJquery", 0, "2.1.0", false, null],
    ["npmJquery", 0, "2.1.1-0", true, "3.0.0"],
    ["npmJquery", 0, "2.1.1-beta.1", true, "3.0.0"],
    ["npmJquery", 0, "2.1.1", true, "3.0.0"],
    ["npmJquery", 0, "3.0.0-rc1", true, "3.0.0"],
    ["npmJquery", 0, "3.0.0", false, null],
    ["npmJquery", 0, "3.0.1", false, null],
    ["npmShiba", 0, "0.0.1", true, null],
    ["npmShiba", 0, "99.0.0", true, null],
    ["npmMarkyMarkdown", 0, "0.0.0", true, null],
    ["npmMarkyMarkdown", 0, "11.3.2", true, null],
    ["npmI18next", 0, "1.10.2", true, "1.10.3"],
    ["npmI18next", 0, "1.10.3", false, null],
    ["npmI18next", 0, "1.10.4", false, null],
  ],
  pypi: [
    ["pypiCryptography", 0, "3.0", false, null],
    ["pypiCryptography", 0, "3.1", true, "3.1.2"],
    ["pypiCryptography", 0, "3.1.1", true, "3.1.2"],
    ["pypiCryptography", 0, "3.1.2", false, null],
    ["pypiCryptography", 1, "3.1.2", false, null],
    ["pypiCryptography", 1, "3.2", true, "3.3.2"],
    ["pypiCryptography", 1, "3.3.1", true, "3.3.2"],
    ["pypiCryptography", 1, "3.3.2", false, null],
    // The GIT range is ignored, and the ECOSYSTEM range is [0, 2.2.5) and [2.3.0, 2.3.2).
    ["pypiFlaskSessionCookie", 0, "2.0.0rc1", true, "2.2.5"],
    ["pypiFlaskSessionCookie", 0, "2.2.4", true, "2.2.5"],
    ["pypiFlaskSessionCookie", 0, "2.2.5", false, null],
    ["pypiFlaskSessionCookie", 0, "2.2.6", false, null],
    ["pypiFlaskSessionCookie", 0, "2.3.0", true, "2.3.2"],
    ["pypiFlaskSessionCookie", 0, "2.3.1", true, "2.3.2"],
    ["pypiFlaskSessionCookie", 0, "2.3.2", false, null],
    ["pypiRequests", 0, "2.2.1", false, null],
    ["pypiRequests", 0, "2.3.0", true, "2.31.0"],
    ["pypiRequests", 0, "2.30.0", true, "2.31.0"],
    ["pypiRequests", 0, "2.31.0", false, null],
    ["pypiIdna", 0, "0.1", true, "3.7"],
    ["pypiIdna", 0, "3.6", true, "3.7"],
    ["pypiIdna", 0, "3.7", false, null],
    ["pypiPandas", 0, "0.2beta", true, "1.0.4"],
    ["pypiPandas", 0, "1.0.0rc0", true, "1.0.4"],
    ["pypiPandas", 0, "1.0.3", true, "1.0.4"],
    ["pypiPandas", 0, "1.0.4", false, null],
    // Only a versions list, which also contains the invalid "4.36.-1".
    ["pypiGradio", 0, "4.36.0", false, null],
    ["pypiGradio", 0, "4.36.1", true, null],
    ["pypiGradio", 0, "4.36.1.0", true, null],
    ["pypiGradio", 0, "4.36.-1", true, null],
    ["pypiGradio", 0, "4.37.0", false, null],
  ],
  rubygems: [
    // Events listed out of order: [3.2.0, 3.2.22), [4.0.0, 4.1.11), [4.2.0, 4.2.2).
    ["rubygemsActivesupportWithdrawn", 0, "3.1.0", false, null],
    ["rubygemsActivesupportWithdrawn", 0, "3.2.21", true, "3.2.22"],
    ["rubygemsActivesupportWithdrawn", 0, "3.2.22", false, null],
    ["rubygemsActivesupportWithdrawn", 0, "4.0.0", true, "4.1.11"],
    ["rubygemsActivesupportWithdrawn", 0, "4.1.11", false, null],
    ["rubygemsActivesupportWithdrawn", 0, "4.2.1", true, "4.2.2"],
    ["rubygemsActivesupportWithdrawn", 0, "4.2.2", false, null],
  ],
} satisfies Record<string, BoundaryCase[]>;

/** Evaluates one case with the ordering that orderingFor returns for the entry's ecosystem. */
export function evaluateBoundary([name, entryIndex, version]: BoundaryCase, orderingFor: OrderingForEcosystem): AffectedResult {
  const entry = fixture(name).affected[entryIndex];
  if (entry?.package === undefined) throw new Error(`${name} has no affected entry ${entryIndex} with a package`);

  const ordering = orderingFor(entry.package.ecosystem);
  if (ordering === null) throw new Error(`no ordering for ${entry.package.ecosystem}`);

  return isAffected(version, entry, ordering);
}
