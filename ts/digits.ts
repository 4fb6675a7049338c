// The package's `taimatsu/digits` entry: sklearn's digits, bundled (about a quarter of the
// library's size), in an entry of their own so that apps which do not use them never load them.
export { loadDigits } from "./data/datasets/digits.js";
export type { DigitsBunch } from "./data/datasets/digits.js";
