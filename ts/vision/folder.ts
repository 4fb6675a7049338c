// torchvision.datasets.ImageFolder: images in root/<class>/…/<file>, a class per folder (sorted,
// numbered from 0), the samples sorted by class then path. Files are PNG or JPEG (the formats
// taimatsu decodes); others are skipped. Each sample is read and decoded when asked for
// (getItem is async: iterate the DataLoader with `for await`), as a DecodedImage — torchvision's
// PIL image — in RGB, then through `transform` (ToTensor first) and `targetTransform`.
// Node, Bun and Deno (it reads the file system); DataLoader workers rebuild it.
import { Dataset, checkIndex } from "../data/dataset.js";
import { checkTransforms, LIBRARY, type WorkerSpec } from "../data/worker-loader.js";
import { requireBuiltin } from "../node-builtins.js";
import { bindArgs, type Rest } from "../signature.js";
import { DecodedImage } from "./image.js";
import { readImage } from "./io.js";

const EXTENSIONS = [".png", ".jpg", ".jpeg"];

type Transform = (image: any) => any;

export interface ImageFolderOptions {
  transform?: Transform | null;
  targetTransform?: ((target: number) => unknown) | null;
}

export class ImageFolder extends Dataset<Promise<[unknown, unknown]>> {
  readonly root: string;
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  /** [path, class index] pairs, as torchvision's `samples`. */
  readonly samples: [string, number][];
  readonly transform: Transform | null;
  readonly targetTransform: ((target: number) => unknown) | null;

  constructor(root: string, ...args: Rest<[transform: Transform | null, targetTransform: ((target: number) => unknown) | null], ImageFolderOptions>) {
    super();
    const o = bindArgs<ImageFolderOptions & { root: string }>({ fn: "ImageFolder.__init__", positional: ["root", "transform", "targetTransform"], required: 1 }, [root, ...args]);
    this.root = o.root.replace(/\/+$/, "");
    this.transform = o.transform ?? null;
    this.targetTransform = o.targetTransform ?? null;
    const fs = requireBuiltin("node:fs", "ImageFolder");
    const list = (dir: string) => {
      try {
        return fs.readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        throw new Error(`ImageFolder: cannot read the folder ${dir} (${e instanceof Error ? e.message : String(e)})`);
      }
    };
    this.classes = list(this.root).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    if (this.classes.length === 0) throw new Error(`Couldn't find any class folder in ${this.root}.`);
    this.classToIdx = Object.fromEntries(this.classes.map((c, i) => [c, i]));
    this.samples = [];
    const empty: string[] = [];
    for (const [c, cls] of this.classes.entries()) {
      const found: string[] = [];
      // os.walk's order: a folder's files, sorted, then its subfolders, sorted
      const walk = (dir: string): void => {
        const entries = list(dir).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const e of entries) if (e.isFile() && EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x))) found.push(`${dir}/${e.name}`);
        for (const e of entries) if (e.isDirectory()) walk(`${dir}/${e.name}`);
      };
      walk(`${this.root}/${cls}`);
      if (found.length === 0) empty.push(cls);
      for (const path of found) this.samples.push([path, c]);
    }
    if (empty.length > 0) throw new Error(`Found no valid file for the classes ${empty.join(", ")}. Supported extensions are: ${EXTENSIONS.join(", ")}`);
  }

  get length(): number {
    return this.samples.length;
  }

  /** The image (after `transform`) and its class index (after `targetTransform`). */
  async getItem(index: number): Promise<[unknown, unknown]> {
    const [path, target] = this.samples[checkIndex(index, this.length, "ImageFolder")]!;
    const image = new DecodedImage((await readImage(path, "rgb")).permute([1, 2, 0]).contiguous());
    return [this.transform ? this.transform(image) : image, this.targetTransform ? this.targetTransform(target) : target];
  }

  workerSpec(): WorkerSpec {
    checkTransforms("ImageFolder", { transform: this.transform, targetTransform: this.targetTransform });
    return { module: LIBRARY, exportName: "vision.datasets.ImageFolder", args: [this.root, this.transform, this.targetTransform] };
  }
}
