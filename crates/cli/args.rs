//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// exosim: exoskeleton actuator control-loop simulator.
///
/// With no command, runs the built-in default scenario (walking-assist) and prints its summary.
#[derive(Debug, Parser)]
#[command(name = "exosim", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// Output folder of the default run.
    #[arg(short, long, default_value = "out", global = true)]
    pub(crate) output: PathBuf,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run scenarios and write time series, summary, plots and an OpenSim storage file for each.
    Run {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Override a field: `--set path.to.field=value` (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Skip the plots.
        #[arg(long)]
        no_plots: bool,
    },
    /// Validate scenario files without running them.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Override a field (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Print a scenario with every default filled in.
    Resolve {
        /// Scenario file.
        file: PathBuf,
        /// Override a field (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// List the shipped scenarios and actuator presets.
    List,
    /// Run a grid of parameter values in parallel and write one summary row per point (`sweep.csv`).
    Sweep {
        /// Scenario file.
        file: PathBuf,
        /// A swept field: `path.to.field=start:stop:count` (repeatable; the grid is their product).
        #[arg(long = "param", value_name = "PATH=START:STOP:COUNT", required = true)]
        params: Vec<String>,
        /// Override a field for every point (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Run only shard K of N (`K/N`, K from 0); default from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or
        /// JOB_COMPLETION_INDEX/EXOSIM_SHARD_COUNT.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
    },
    /// Join sweep shard outputs into one `sweep.csv`.
    Merge {
        /// Shard CSV files or folders holding them.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Print the scenario reference (the source of `docs/scenarios.md`).
    Schema,
}
