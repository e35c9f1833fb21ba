/**
 * Which files the binary catalogers (Go build info, Rust `cargo auditable`)
 * request from the layer reader. Executables have no fixed place, so any path
 * is a candidate except trees and file types that contain no executables. The
 * parsers then read only files that start with the ELF magic.
 */

const EXCLUDED_TREES = [
  "/proc/",
  "/sys/",
  "/dev/",
  "/etc/",
  "/usr/share/",
  "/usr/include/",
  "/usr/src/",
  "/var/cache/",
  "/var/log/",
  "/var/lib/dpkg/",
  "/var/lib/apk/",
  "/lib/apk/",
  "/var/lib/rpm/",
  "/usr/lib/sysimage/rpm/",
];

const EXCLUDED_SEGMENTS = ["/node_modules/", "/site-packages/", "/dist-packages/", "/.git/", "/__pycache__/", "/specifications/"];

// Source, text, data, archive and media files: none of them is an ELF executable.
const NON_EXECUTABLE_EXTENSION =
  /\.(?:a|o|c|cc|cpp|h|hpp|go|rs|py|pyc|pyi|rb|pl|pm|js|mjs|cjs|ts|map|java|class|jar|war|ear|sh|bash|txt|md|rst|html?|css|json|ya?ml|toml|xml|ini|cfg|conf|csv|tsv|log|lock|sum|mod|pem|crt|key|gz|xz|bz2|zst|zip|tar|tgz|whl|png|jpe?g|gif|svg|ico|ttf|otf|woff2?|mo|po|gemspec|pc|cmake|la|service|desktop)$/i;

// System shared libraries are C libraries in practice; shared objects elsewhere (plugins, cdylibs) stay candidates.
const SYSTEM_SHARED_LIBRARY = /^\/(?:usr\/)?lib(?:32|64|x32)?\/.*\.so(?:\.[\d.]+)?$/;

export function isExecutableCandidatePath(path: string): boolean {
  if (EXCLUDED_TREES.some((tree) => path.startsWith(tree))) return false;
  if (EXCLUDED_SEGMENTS.some((segment) => path.includes(segment))) return false;
  if (NON_EXECUTABLE_EXTENSION.test(path)) return false;
  return !SYSTEM_SHARED_LIBRARY.test(path);
}
