//! taimatsu's compute kernels: pure functions over WebAssembly linear memory. Pointers,
//! sizes and strides come in as plain numbers; the TypeScript side owns allocation, tensors
//! and autograd. Exported names are `<op>_f32` and match the TS op names.

pub mod binary;
pub mod conv;
pub mod copy;
pub mod gather;
pub mod loss;
pub mod math;
pub mod matmul;
pub mod mem;
pub mod optim;
pub mod pool;
pub mod reduce;
pub mod rnn;
pub mod simd;
pub mod softmax;
pub mod unary;
