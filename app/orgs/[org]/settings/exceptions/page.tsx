import Link from "next/link";
import type { Metadata } from "next";
import { ExceptionForm } from "@/components/settings/exception-form";
import { ExceptionTable } from "@/components/settings/exception-table";
import { addExceptionAction, revokeExceptionAction } from "@/app/orgs/[org]/settings/exceptions/actions";
import { requireViewer } from "@/lib/auth/get-viewer";
import { listExceptions, REASON_MAX_LENGTH } from "@/lib/data/settings/exceptions";
import { orNotFound } from "@/lib/data/or-not-found";
import { organizationParam } from "@/lib/data/route-params";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Exceptions" };

const filterClass = "rounded px-2 py-1";

export default async function ExceptionsPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<{ show?: string | string[] }> }) {
  const viewer = await requireViewer();
  const org = organizationParam((await params).org);
  const show = (await searchParams).show === "all" ? "all" : "active";
  const { organization, repositories, exceptions, hiddenCount, now } = await orNotFound(listExceptions(viewer, org, { show }));
  // The actions take the organization from this page's URL, not from a form field.
  const addAction = addExceptionAction.bind(null, organization.name);
  const revokeAction = revokeExceptionAction.bind(null, organization.name);
  const base = `/orgs/${organization.name}/settings/exceptions`;

  return (
    <div className="space-y-6">
      <section aria-labelledby="add-exception" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="add-exception" className="mb-1 font-semibold">Add an exception</h2>
        <p className="mb-3 text-sm text-slate-600">
          An exception stops a vulnerability from counting against the grades of {organization.name}, optionally only for one repository, some tags or some packages.
          Adding or revoking one re-grades the images that have the vulnerability.
        </p>
        <ExceptionForm action={addAction} repositories={repositories} reasonMaxLength={REASON_MAX_LENGTH} earliestExpiry={now.toISOString().slice(0, 10)} />
      </section>

      <section aria-labelledby="exception-list">
        <div className="mb-3 flex flex-wrap items-center gap-4">
          <h2 id="exception-list" className="font-semibold">Exceptions</h2>
          <nav aria-label="Exception filter" className="flex gap-2 text-sm">
            <Link href={base} aria-current={show === "active" ? "page" : undefined} className={`${filterClass} ${show === "active" ? "bg-slate-200 font-medium" : "text-blue-700 hover:underline"}`}>
              Active only
            </Link>
            <Link href={`${base}?show=all`} aria-current={show === "all" ? "page" : undefined} className={`${filterClass} ${show === "all" ? "bg-slate-200 font-medium" : "text-blue-700 hover:underline"}`}>
              Show all
            </Link>
          </nav>
        </div>
        {exceptions.length === 0 ? (
          <p className="text-slate-600">{show === "all" ? `${organization.name} has no exceptions yet.` : `No exceptions are in force in ${organization.name}.`}</p>
        ) : (
          <ExceptionTable organization={organization.name} exceptions={exceptions} revokeAction={revokeAction} />
        )}
        {show === "active" && hiddenCount > 0 && (
          <p className="mt-2 text-sm text-slate-600">
            {hiddenCount === 1 ? "1 expired or revoked exception is" : `${hiddenCount} expired or revoked exceptions are`} hidden.{" "}
            <Link href={`${base}?show=all`} className="text-blue-700 hover:underline">
              Show them
            </Link>
          </p>
        )}
      </section>
    </div>
  );
}
