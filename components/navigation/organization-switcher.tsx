import Link from "next/link";

/** Links to the organizations the signed-in user belongs to; the list comes from an access-checked data function. */
export function OrganizationSwitcher({ organizations }: { organizations: { name: string }[] }) {
  if (organizations.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-3 text-sm" aria-label="Organizations">
      {organizations.map((organization) => (
        <li key={organization.name}>
          <Link href={`/orgs/${organization.name}/repositories`} className="text-slate-700 hover:text-slate-900 hover:underline">
            {organization.name}
          </Link>
        </li>
      ))}
    </ul>
  );
}
