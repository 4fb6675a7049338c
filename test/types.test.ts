// The package's declarations as a TypeScript user meets them: test/fixtures/types/app.ts is
// compiled against dist/ (strict, noUncheckedIndexedAccess, no Node types, emitting its own
// declarations); module calls are typed from forward, so misuse is a compile error, and
// nothing else is.
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

describe("the package's types", () => {
  it("type module calls from forward and compile in a strict project without Node's types", () => {
    const file = join(__dirname, "fixtures", "types", "app.ts");
    const program = ts.createProgram([file], {
      strict: true,
      noUncheckedIndexedAccess: true,
      // declarations as a library exporting its own modules emits them: taimatsu's classes must be nameable
      declaration: true,
      emitDeclarationOnly: true,
      outDir: join(tmpdir(), "taimatsu-types"),
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: [],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName.split("/").slice(-2).join("/")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(diagnostics).toEqual([]);
  });
});
