import Link from "next/link";

/** Renders the same page for what does not exist and what the user may not see, so neither reveals anything. */
export default function NotFound() {
  return (
    <div className="mx-auto mt-12 max-w-md text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-600">It does not exist, or you do not have access to it.</p>
      <Link href="/" className="mt-4 inline-block text-blue-700 hover:underline">
        Back to your organizations
      </Link>
    </div>
  );
}
