//! `nongsan`: see `nongsan --help`.

// glibc's allocator spent a fifth of the CPU of POST /api/v1/verify under
// load (measured with perf); mimalloc handles many small short-lived JSON
// allocations across threads far better.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    server::cli::main()
}
