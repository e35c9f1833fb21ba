// Vite, which runs the tests, returns a file's text as the default export of an import ending in "?raw".
// The tests load their vector tables this way because scoring/ may not import node:fs, not even in tests.
declare module "*.tsv?raw" {
  const text: string;
  export default text;
}
