//! The `careline` command.

fn main() -> std::process::ExitCode {
    careline::cli::main()
}
