//! exo-viz: the exosim desktop visualiser (see the library's documentation).
//!
//! Exit status: 0 success, 1 a failed screenshot check, 2 bad input (scenario, recording, arguments).

use std::process::ExitCode;

use bevy::app::AppExit;
use clap::Parser;
use exo_viz::cli::Args;

fn main() -> ExitCode {
    let args = Args::parse();
    let shown = match exo_viz::app::load(&args) {
        Ok(shown) => shown,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    match exo_viz::app::build(&args, shown).run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(code) => ExitCode::from(code.get()),
    }
}
