// Where workers import the library from: this module's URL, which in the bundle is
// dist/taimatsu.js itself and in the sources is next to ts/index.ts.
export const libraryUrl: string = import.meta.url.replace(/library-url\.(ts|js)$/, "index.$1");
