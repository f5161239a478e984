/// Answers are trees of many small values built and dropped per request, which glibc's malloc
/// handles slowly across worker threads (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    api::cli::main()
}
