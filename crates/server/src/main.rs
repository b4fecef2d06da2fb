//! `nongsan`: see `nongsan --help`.

fn main() -> std::process::ExitCode {
    server::cli::main()
}
