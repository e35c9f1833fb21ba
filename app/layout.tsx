import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { OrganizationSwitcher } from "@/components/navigation/organization-switcher";
import { getViewer } from "@/lib/auth/get-viewer";
import { listOrganizations } from "@/lib/data/list-organizations";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Shipshape", template: "%s · Shipshape" },
  description: "Grades for every image tag in your container registry.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const viewer = await getViewer();
  const organizations = viewer ? await listOrganizations(viewer) : [];
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3" aria-label="Main">
            <Link href="/" className="text-lg font-semibold tracking-tight">
              Shipshape
            </Link>
            <OrganizationSwitcher organizations={organizations} />
            {viewer && (
              <span className="ml-auto flex items-center gap-3 text-sm text-slate-600">
                {viewer.isSiteAdmin && (
                  <Link href="/admin" className="hover:text-slate-900 hover:underline">
                    Administration
                  </Link>
                )}
                <Link href="/settings/notifications" className="hover:text-slate-900 hover:underline">
                  Notifications
                </Link>
                <span data-testid="viewer-email">{viewer.email}</span>
                <Link href="/settings/tokens" className="hover:text-slate-900 hover:underline">
                  Access tokens
                </Link>
                <SignOutButton />
              </span>
            )}
          </nav>
        </header>
        <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
      </body>
    </html>
  );
}
