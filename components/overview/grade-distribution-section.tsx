import { GradeDistributionChart, type GradeBar } from "@/components/overview/grade-distribution-chart";
import { bucketLabel, formatRepositoryCount } from "@/components/overview/overview-format";
import type { GradeCount } from "@/lib/data/get-org-overview";
import { badgeColor, type Grade } from "@/scoring";

/** Shows the repositories per grade as a bar chart, with the numbers in a table for screen readers. */
export function GradeDistributionSection({ organization, distribution }: { organization: string; distribution: GradeCount[] }) {
  const bars: GradeBar[] = distribution.map((bucket) => ({
    grade: bucket.grade,
    label: bucketLabel(bucket.grade),
    count: bucket.count,
    color: badgeColor(bucket.grade === "none" ? null : (bucket.grade as Grade)),
    href: `/orgs/${organization}/repositories?grade=${bucket.grade}`,
  }));
  return (
    <section aria-labelledby="distribution-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="distribution-heading" className="text-lg font-semibold">
        Grades
      </h2>
      <p className="mb-2 text-sm text-slate-600">Repositories by the grade of their latest tag. Select a bar to list them.</p>
      <div data-testid="grade-distribution">
        <GradeDistributionChart bars={bars} />
      </div>
      <table className="sr-only">
        <caption>Repositories per grade</caption>
        <thead>
          <tr>
            <th scope="col">Grade</th>
            <th scope="col">Repositories</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.grade}>
              <th scope="row">{bar.label}</th>
              <td>{formatRepositoryCount(bar.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
