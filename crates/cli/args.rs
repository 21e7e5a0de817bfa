//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// exosim: exoskeleton actuator control-loop simulator.
///
/// With no command, runs the built-in default scenario (opensim-walk-hip-exo) and prints its summary.
#[derive(Debug, Parser)]
#[command(name = "exosim", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// Output folder (every command writes under it).
    #[arg(short = 'o', long = "out-dir", default_value = "out", global = true)]
    pub(crate) output: PathBuf,
}

/// A recorded trial and its model, as `exosim muscles` and `exosim hilo` take them.
#[derive(Debug, clap::Args)]
pub(crate) struct TrialArgs {
    /// The model file (`.osim`, planar, with muscles; its Umberger probe is used unless `--metabolics`).
    pub(crate) model: PathBuf,
    /// The motion (`.mot`/`.sto` of coordinates).
    pub(crate) motion: PathBuf,
    /// External loads file (`ExternalLoads` XML naming its data file): the force plates.
    #[arg(long)]
    pub(crate) loads: PathBuf,
    /// Low-pass cutoff for the coordinates, Hz.
    #[arg(long, value_name = "HZ")]
    pub(crate) lowpass: Option<f64>,
    /// A model file holding the `Umberger2010MuscleMetabolicsProbe` to use.
    #[arg(long, value_name = "FILE")]
    pub(crate) metabolics: Option<PathBuf>,
    /// Reserve actuators (`CoordinateActuator` optimal forces) for the coordinates the muscles share; default 1.
    #[arg(long, value_name = "FILE")]
    pub(crate) reserves: Option<PathBuf>,
    /// Ideal device torque on a coordinate, Zhang et al.'s profile over that side's gait phase:
    /// `COORDINATE=PEAK_NM,PEAK_PCT,RISE_PCT,FALL_PCT` (repeatable; sign in the coordinate's positive sense).
    #[arg(long, value_name = "SPEC")]
    pub(crate) assist: Vec<String>,
}

/// The protocol options of `exosim hilo`.
#[derive(Debug, clap::Args)]
pub(crate) struct HiloArgs {
    /// A parameter to tune, `COORDINATE.FIELD=LO:HI` with FIELD one of peak_torque_nm, peak_time_pct,
    /// rise_time_pct, fall_time_pct; COORDINATE an assisted coordinate, or its name without `_r`/`_l` for
    /// both sides (repeatable). Without it: all four fields of each assisted joint within documented bounds.
    #[arg(long = "param", value_name = "COORD.FIELD=LO:HI")]
    pub(crate) params: Vec<String>,
    /// CMA-ES generations.
    #[arg(long, default_value_t = 8)]
    pub(crate) generations: usize,
    /// Candidates per generation.
    #[arg(long, default_value_t = 8)]
    pub(crate) population: usize,
    /// Duration of each condition, s.
    #[arg(long = "condition-s", default_value_t = 120.0)]
    pub(crate) condition_s: f64,
    /// How a condition's cost is estimated from the breaths.
    #[arg(long, value_enum, default_value = "first-order")]
    pub(crate) estimator: EstimatorArg,
    /// Standard deviation of each breath's multiplicative noise (0 turns it off).
    #[arg(long, default_value_t = 0.1)]
    pub(crate) noise: f64,
    /// Time between breaths, s.
    #[arg(long = "breath-s", default_value_t = 3.0)]
    pub(crate) breath_s: f64,
    /// Time constant of the metabolic cart's response, s (Selinger & Donelan 2014).
    #[arg(long = "cart-tau-s", default_value_t = 42.0)]
    pub(crate) cart_tau_s: f64,
    /// Wearer adaptation: `INITIAL_FRACTION,TIME_CONSTANT_MIN` (for example `0.5,30`); none: stationary.
    #[arg(long, value_name = "FRACTION,MIN")]
    pub(crate) adaptation: Option<String>,
    /// Seed of CMA-ES and of the breath noise.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Worker threads (default: one per core); the results do not depend on it.
    #[arg(long)]
    pub(crate) jobs: Option<usize>,
}

/// How `exosim hilo` estimates a condition's cost.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum EstimatorArg {
    /// The mean of the last minute's breaths.
    Instantaneous,
    /// Selinger & Donelan's first-order fit to all the condition's breaths.
    FirstOrder,
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
        /// Also write `frames.csv`: every tick's sensor frame and commands, for `exosim replay`.
        #[arg(long)]
        frames: bool,
    },
    /// Feed a run's logged sensor frames through a freshly built control law and supervisor and compare the
    /// commands with the log (bit for bit without `--set`; with `--set`, what changed gains would command).
    Replay {
        /// Output folder of a run made with `--frames` (holds `scenario.toml` and `frames.csv`).
        dir: PathBuf,
        /// Frame log to replay instead of `DIR/frames.csv` (for example one taken on hardware).
        #[arg(long)]
        frames: Option<PathBuf>,
        /// Override a field of the run's scenario (repeatable), e.g. a gain.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Write the firmware configuration of a scenario or a run (`DIR/scenario.toml`): its assistance law and
    /// supervisor in f32, exo-control's serde form, for the firmware image (`crates/firmware`).
    ExportLaw {
        /// A scenario file, or the output folder of a run.
        source: PathBuf,
        /// The law file to write.
        law: PathBuf,
        /// Override a field (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
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
    /// Import an OpenSim model (`.osim`) as exosim's wearer would: its coordinates, bodies and muscles as the
    /// planar engine builds them, or an error naming the line and element it cannot represent.
    Osim {
        /// The model file.
        file: PathBuf,
    },
    /// Inverse dynamics of a recorded trial as OpenSim's InverseDynamicsTool computes it: writes
    /// `inverse_dynamics.sto` (OpenSim's column names, N m and N) to the output folder.
    Id {
        /// The model file (`.osim`, planar).
        model: PathBuf,
        /// The motion (`.mot`/`.sto` of coordinates, one column per coordinate of the model).
        motion: PathBuf,
        /// External loads file (`ExternalLoads` XML naming its data file), e.g. the force plates.
        #[arg(long)]
        loads: Option<PathBuf>,
        /// Low-pass cutoff for the coordinates, Hz (OpenSim's zero-phase third-order Butterworth); none: unfiltered.
        #[arg(long, value_name = "HZ")]
        lowpass: Option<f64>,
    },
    /// The muscles and metabolic cost of a recorded trial (static optimization and the Umberger 2010 probe per
    /// frame), and with `--assist` what an ideal device's torque would change: writes `muscles.sto`,
    /// `muscles_assisted.sto` and `summary.json`.
    Muscles {
        /// The trial and its model.
        #[command(flatten)]
        trial: TrialArgs,
        /// Walking speed for the cost of transport, m/s (needed when the pelvis does not progress, as on a
        /// treadmill).
        #[arg(long, value_name = "M_PER_S")]
        speed: Option<f64>,
    },
    /// Human-in-the-loop optimization rehearsed on the trial's muscle-driven wearer: CMA-ES over the ideal
    /// device's profile parameters, each candidate walked for a condition and measured through a simulated
    /// metabolic cart; writes `hilo.csv`, `hilo.png` and `summary.json`.
    Hilo {
        /// The trial, its model and the device to tune (`--assist`, at least one).
        #[command(flatten)]
        trial: TrialArgs,
        /// The protocol.
        #[command(flatten)]
        protocol: HiloArgs,
    },
    /// Print the scenario reference (the source of `docs/scenarios.md`).
    Schema,
    /// Closed-loop frequency response by stepped sines or a chirp: magnitude and phase per frequency (CSV and
    /// Bode plot), -3 dB bandwidth and phase at crossover.
    Bode {
        /// Scenario file (its setpoint is replaced by the test signal).
        file: PathBuf,
        /// Input channel of the recording.
        #[arg(long, default_value = "exo_knee_demand_nm")]
        input: String,
        /// Output channel of the recording.
        #[arg(long = "output", id = "output_channel", default_value = "exo_knee_torque_nm")]
        output_channel: String,
        /// Lowest frequency, Hz.
        #[arg(long, default_value_t = 0.5)]
        from: f64,
        /// Highest frequency, Hz.
        #[arg(long, default_value_t = 40.0)]
        to: f64,
        /// Number of log-spaced frequencies.
        #[arg(long, default_value_t = 16)]
        points: usize,
        /// Sine or chirp amplitude, N m.
        #[arg(long, default_value_t = 5.0)]
        amplitude: f64,
        /// Test signal: `sines` (one settled run per frequency) or `chirp` (one run over the whole band).
        #[arg(long, value_enum, default_value_t = ExcitationArg::Sines)]
        excitation: ExcitationArg,
        /// Override a field (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Z-width map: which virtual walls (stiffness, damping) the scenario's loop renders passively.
    Zwidth {
        /// Scenario file (control rate, sensor delay, encoder, velocity filter, joint friction).
        file: PathBuf,
        /// Stiffness grid `start:stop:count`, N m/rad.
        #[arg(long, default_value = "50:3000:30")]
        stiffness: String,
        /// Virtual damping grid `start:stop:count`, N m s/rad.
        #[arg(long, default_value = "0:2:9")]
        damping: String,
        /// Physical damping at the joint, N m s/rad (default: from the scenario's exoskeleton and actuator).
        #[arg(long)]
        physical_damping: Option<f64>,
        /// Override a field (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Search gains that minimise a cost: a coarse grid, then Nelder-Mead from its best point.
    Tune {
        /// Scenario file.
        file: PathBuf,
        /// A tuned field and its bounds: `path.to.field=lo:hi` (repeatable).
        #[arg(long = "param", value_name = "PATH=LO:HI", required = true)]
        params: Vec<String>,
        /// What to minimise.
        #[arg(long, value_enum, default_value = "interaction_rms")]
        cost: crate::tune::Cost,
        /// Grid points per parameter.
        #[arg(long, default_value_t = 4)]
        grid: usize,
        /// Nelder-Mead iterations after the grid.
        #[arg(long, default_value_t = 30)]
        iterations: u64,
        /// Nelder-Mead searches, started from this many of the best grid points (run in parallel).
        #[arg(long, default_value_t = 3)]
        starts: usize,
        /// Override a field (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
}

/// The test signal of `exosim bode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExcitationArg {
    /// Stepped sines: one settled run per frequency.
    Sines,
    /// A linear chirp over the band in one run, then a quiet tail.
    Chirp,
}
