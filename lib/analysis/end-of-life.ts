import type { OsRelease } from "@/lib/analysis/types";

/**
 * End-of-life dates of distribution releases: the last day the distribution's
 * regular channel publishes security updates, without paid or separately run
 * extended support (Debian LTS, Ubuntu Pro/ESM, RHEL ELS).
 *
 * NOTE: dates are as the sources below published them. The Alpine and Ubuntu
 * rows were checked against copies of those pages on 2026-12-04; the other rows
 * were written from the vendors' pages as of mid-2025 and need checking.
 * Vendors move announced dates, so review this table at every new release.
 */
interface EndOfLifeRow {
  /** os-release ID. */
  id: string;
  /** Release as matched against VERSION_ID: the major version, or major.minor where releases have one. */
  release: string;
  /** ISO date. */
  endOfLife: string;
}

// Debian: https://www.debian.org/releases/ (each release's page gives the end of security support).
const debian: EndOfLifeRow[] = [
  { id: "debian", release: "9", endOfLife: "2020-07-06" },
  { id: "debian", release: "10", endOfLife: "2022-06-30" },
  { id: "debian", release: "11", endOfLife: "2024-08-14" },
  { id: "debian", release: "12", endOfLife: "2026-06-10" },
  // Three years after the 2025-08-09 release, as Debian plans; not yet fixed.
  { id: "debian", release: "13", endOfLife: "2028-08-09" },
];

// Ubuntu: https://ubuntu.com/about/release-cycle ("End of Standard Support"). The page gives
// months; ended releases carry the day of Canonical's end-of-life announcement, and releases
// still in support the month's last day.
const ubuntu: EndOfLifeRow[] = [
  { id: "ubuntu", release: "16.04", endOfLife: "2021-04-30" },
  { id: "ubuntu", release: "16.10", endOfLife: "2017-07-20" },
  { id: "ubuntu", release: "17.04", endOfLife: "2018-01-13" },
  { id: "ubuntu", release: "17.10", endOfLife: "2018-07-19" },
  { id: "ubuntu", release: "18.04", endOfLife: "2023-05-31" },
  { id: "ubuntu", release: "18.10", endOfLife: "2019-07-18" },
  { id: "ubuntu", release: "19.04", endOfLife: "2020-01-23" },
  { id: "ubuntu", release: "19.10", endOfLife: "2020-07-17" },
  { id: "ubuntu", release: "20.04", endOfLife: "2025-05-29" },
  { id: "ubuntu", release: "20.10", endOfLife: "2021-07-22" },
  { id: "ubuntu", release: "21.04", endOfLife: "2022-01-20" },
  { id: "ubuntu", release: "21.10", endOfLife: "2022-07-14" },
  { id: "ubuntu", release: "22.04", endOfLife: "2027-04-30" },
  { id: "ubuntu", release: "22.10", endOfLife: "2023-07-20" },
  { id: "ubuntu", release: "23.04", endOfLife: "2024-01-25" },
  { id: "ubuntu", release: "23.10", endOfLife: "2024-07-11" },
  { id: "ubuntu", release: "24.04", endOfLife: "2029-04-30" },
  { id: "ubuntu", release: "24.10", endOfLife: "2025-07-10" },
  { id: "ubuntu", release: "25.04", endOfLife: "2026-01-31" },
  { id: "ubuntu", release: "25.10", endOfLife: "2026-07-31" },
  { id: "ubuntu", release: "26.04", endOfLife: "2031-04-30" },
];

// Alpine: https://alpinelinux.org/releases/ ("End of support" of the main repository).
const alpine: EndOfLifeRow[] = [
  { id: "alpine", release: "3.10", endOfLife: "2021-05-01" },
  { id: "alpine", release: "3.11", endOfLife: "2021-11-01" },
  { id: "alpine", release: "3.12", endOfLife: "2022-05-01" },
  { id: "alpine", release: "3.13", endOfLife: "2022-11-01" },
  { id: "alpine", release: "3.14", endOfLife: "2023-05-01" },
  { id: "alpine", release: "3.15", endOfLife: "2023-11-01" },
  { id: "alpine", release: "3.16", endOfLife: "2024-05-23" },
  { id: "alpine", release: "3.17", endOfLife: "2024-11-22" },
  { id: "alpine", release: "3.18", endOfLife: "2025-05-09" },
  { id: "alpine", release: "3.19", endOfLife: "2025-11-01" },
  { id: "alpine", release: "3.20", endOfLife: "2026-04-01" },
  { id: "alpine", release: "3.21", endOfLife: "2026-11-01" },
  { id: "alpine", release: "3.22", endOfLife: "2027-05-01" },
  { id: "alpine", release: "3.23", endOfLife: "2027-11-01" },
];

// Red Hat Enterprise Linux: https://access.redhat.com/support/policy/updates/errata
// ("Red Hat Enterprise Linux Life Cycle", end of Maintenance Support).
// AlmaLinux (https://wiki.almalinux.org/release-notes/) and Rocky Linux
// (https://wiki.rockylinux.org/rocky/version/) follow the same dates; neither
// has a release 7, so CentOS 7 is listed for that generation.
const enterpriseLinux: EndOfLifeRow[] = [
  { id: "rhel", release: "7", endOfLife: "2024-06-30" },
  { id: "rhel", release: "8", endOfLife: "2029-05-31" },
  { id: "rhel", release: "9", endOfLife: "2032-05-31" },
  { id: "rhel", release: "10", endOfLife: "2035-05-31" },
  { id: "centos", release: "7", endOfLife: "2024-06-30" },
  { id: "centos", release: "8", endOfLife: "2021-12-31" },
  { id: "almalinux", release: "8", endOfLife: "2029-03-01" },
  { id: "almalinux", release: "9", endOfLife: "2032-05-31" },
  { id: "almalinux", release: "10", endOfLife: "2035-05-31" },
  { id: "rocky", release: "8", endOfLife: "2029-05-31" },
  { id: "rocky", release: "9", endOfLife: "2032-05-31" },
  { id: "rocky", release: "10", endOfLife: "2035-05-31" },
];

// Amazon Linux: https://aws.amazon.com/amazon-linux-2/faqs/ (end of support) and
// https://docs.aws.amazon.com/linux/al2023/ug/release-cadence.html (end of the maintenance phase,
// which still ships security updates).
const amazonLinux: EndOfLifeRow[] = [
  { id: "amzn", release: "2", endOfLife: "2026-06-30" },
  { id: "amzn", release: "2023", endOfLife: "2029-06-30" },
];

const endOfLifeTable: readonly EndOfLifeRow[] = [...debian, ...ubuntu, ...alpine, ...enterpriseLinux, ...amazonLinux];

/** Distributions whose releases are named by major.minor; the others by major version only. */
const minorVersionedIds = new Set(["ubuntu", "alpine"]);

/** Returns the ISO end-of-life date of a release, or null when the table has no row for it. */
export function endOfLife(id: string, versionId: string): string | null {
  const release = minorVersionedIds.has(id) ? /^(\d+\.\d+)/.exec(versionId)?.[1] : /^(\d+)/.exec(versionId)?.[1];
  if (release === undefined) return null;
  return endOfLifeTable.find((row) => row.id === id && row.release === release)?.endOfLife ?? null;
}

/**
 * Returns whether the release is past its end of life at `now`: true from the
 * day after the end-of-life date (UTC). Unknown releases are not end of life.
 */
export function isEndOfLife(os: Pick<OsRelease, "id" | "versionId" | "endOfLife">, now: Date): boolean {
  const date = os.endOfLife ?? (os.versionId === null ? null : endOfLife(os.id, os.versionId));
  if (date === null) return false;
  return now.toISOString().slice(0, 10) > date;
}
