// Bad input gets PyTorch's error text (recorded from PyTorch 1.13 in the fixtures), adapted
// only where the API spelling differs (retainGraph for retain_graph).
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import fixtures from "./fixtures/ops.json";
import { expectThrowsMessage } from "./helpers.js";

const E = fixtures.errors as Record<string, string>;
const ones = (...s: number[]) => torch.ones(s);

describe("errors name the op, the shapes and what was expected, like PyTorch", () => {
  it("broadcast mismatch", () => expectThrowsMessage(() => ones(2, 3).add(ones(2, 4)), E.broadcast));
  it("matmul inner dimension", () => expectThrowsMessage(() => ones(8, 5).matmul(ones(6, 3)), E.matmul_inner));
  it("dim out of range", () => expectThrowsMessage(() => ones(2, 3).sum(2), E.dim_out_of_range));
  it("item on many elements", () => expectThrowsMessage(() => ones(2, 3).item(), E.item_many));
  it("view with a bad size", () => expectThrowsMessage(() => ones(2, 3).view(4, -1), E.view_bad_size));
  it("view with two inferred dims", () => expectThrowsMessage(() => ones(2, 3).view(-1, -1), E.view_two_inferred));
  it("view of a non-contiguous tensor", () => expectThrowsMessage(() => ones(2, 3).t().view(6), E.view_noncontig));
  it("backward of a non-scalar", () =>
    expectThrowsMessage(() => ones(3).requiresGrad_().mul(2).backward(), E.backward_nonscalar));
  it("second backward through a freed graph", () => {
    const x = ones(3).requiresGrad_();
    const y = x.mul(x).sum();
    y.backward();
    expectThrowsMessage(() => y.backward(), E.second_backward.replace("retain_graph=True", "retainGraph: true"));
  });
  it("integer tensors cannot require grad", () =>
    expectThrowsMessage(() => torch.tensor([1, 2]).requiresGrad_(), E.int_requires_grad));
  it("in-place on a leaf that requires grad", () => expectThrowsMessage(() => ones(3).requiresGrad_().add_(1), E.leaf_inplace));
  it("expand to an incompatible size", () => expectThrowsMessage(() => ones(2, 3).expand(2, 4), E.expand_bad));
  it("cat with mismatched sizes", () => expectThrowsMessage(() => torch.cat([ones(2, 3), ones(2, 4)], 0), E.cat_sizes));
  it("stack with mismatched sizes", () => expectThrowsMessage(() => torch.stack([ones(3), ones(4)]), E.stack_sizes));
  it("select out of range", () => expectThrowsMessage(() => ones(3, 4).select(0, 5), E.select_range));
  it("ragged nested arrays", () => expectThrowsMessage(() => torch.tensor([[1, 2], [3]]), E.ragged));
  it("mean of integers", () => expectThrowsMessage(() => torch.tensor([1, 2]).mean(), E.mean_int));
  it("modifying a saved tensor in place", () => {
    const x = ones(3).requiresGrad_();
    const y = x.exp();
    y.add_(1);
    expectThrowsMessage(() => y.sum().backward(), E.inplace_modified.split(" Hint")[0]);
  });
  it("dtype misuse names the dtypes", () => {
    expectThrowsMessage(() => torch.tensor([1, 2]).matmul(torch.ones(2)), "expected m1 and m2 to have the same dtype, but got: int64 != float32");
    expectThrowsMessage(() => torch.where(ones(2), ones(2), 0), "where expected condition to be a boolean tensor");
    expectThrowsMessage(() => torch.tensor([1, 2]).add_(0.5), "result type Float can't be cast to the desired output type int64");
  });
  it("asking for cuda says taimatsu runs on the CPU", () => {
    expect(torch.cuda.isAvailable()).toBe(false);
    expectThrowsMessage(() => ones(2).to("cuda"), "taimatsu runs on the CPU (WebAssembly SIMD): device 'cuda' is not available");
  });
});
