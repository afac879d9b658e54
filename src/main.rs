//! The `gitsync` executable: parse the command line, run one command, and
//! turn its result into an exit code.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
