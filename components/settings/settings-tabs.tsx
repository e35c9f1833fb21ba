"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** Renders the settings tabs and marks the current one visually and with `aria-current`. */
export function SettingsTabs({ tabs }: { tabs: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav className="mt-4 mb-6 flex flex-wrap gap-6 border-b border-slate-200" aria-label="Settings">
      {tabs.map((tab) => {
        const active = pathname === tab.href;
        return (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={active ? "page" : undefined}
            className={`border-b-2 px-1 pb-2 ${active ? "border-blue-600 font-semibold text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
