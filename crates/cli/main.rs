//! exosim: exoskeleton actuator control-loop simulator, command-line program.
//!
//! Exit status: 0 success, 1 a simulation diverged or failed, 2 bad input (scenario, arguments, files),
//! 130 interrupted.

mod analysis;
mod args;
mod atomic;
mod hilo;
mod muscles;
mod outputs;
mod plots;
mod replay;
mod run;
mod sweep;
mod table;
mod tune;
mod walk;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use clap::Parser;
use exo_sim::scenario;

use args::{Cli, Command};

/// The default scenario, built in so that `exosim` alone works from any folder.
const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/opensim-walk-hip-exo.toml");

enum Failure {
    Input(anyhow::Error),
    Simulation(String),
    Interrupted,
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Input(e)
    }
}

impl From<scenario::ScenarioError> for Failure {
    fn from(e: scenario::ScenarioError) -> Self {
        Failure::Input(e.into())
    }
}

fn install_interrupt() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    // A second Ctrl-C while finishing up aborts at once.
    if let Err(e) = ctrlc::set_handler(move || {
        if s.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: stopping after the current step, keeping finished results");
    }) {
        // Not fatal (the run works), but Ctrl-C will then kill the program without keeping finished results.
        eprintln!("warning: cannot install the Ctrl-C handler ({e}): an interrupt will not stop cleanly");
    }
    stop
}

fn run_files(
    files: &[(PathBuf, Option<&str>)],
    set: &[String],
    out: &Path,
    plots: bool,
    frames: bool,
) -> Result<(), Failure> {
    let stop = install_interrupt();
    let mut failed = None;
    for (path, text) in files {
        let loaded = match text {
            Some(t) => scenario::parse(t, path, set)?,
            None => scenario::load(path, set)?,
        };
        if loaded.scenario.wearer.is_some() {
            if frames {
                return Err(Failure::Input(anyhow::anyhow!(
                    "{}: --frames (the frame log for replay) is for the one-legged wearer only so far",
                    path.display()
                )));
            }
            let (outcome, dir) = walk::run_walk(&loaded, out, plots, &stop)?;
            match outcome {
                walk::WalkOutcome::Finished(s) => {
                    print!("{}", walk::render(&s));
                    println!("  outputs: {}", dir.display());
                }
                walk::WalkOutcome::Failed(s, why) => {
                    print!("{}", walk::render(&s));
                    println!("  outputs (up to the failure): {}", dir.display());
                    eprintln!("error: {}: {why}", path.display());
                    failed = Some(format!("{}: {why}", path.display()));
                }
                walk::WalkOutcome::Interrupted => return Err(Failure::Interrupted),
            }
            continue;
        }
        let (outcome, dir) = run::run_one(&loaded, out, plots, frames, &stop)?;
        match outcome {
            run::Outcome::Finished(s) => {
                print!("{}", table::render(&s));
                println!("  outputs: {}", dir.display());
            }
            run::Outcome::Failed(s, why) => {
                print!("{}", table::render(&s));
                println!("  outputs (up to the failure): {}", dir.display());
                eprintln!("error: {}: {why}", path.display());
                failed = Some(format!("{}: {why}", path.display()));
            }
            run::Outcome::Interrupted => return Err(Failure::Interrupted),
        }
    }
    match failed {
        Some(f) => Err(Failure::Simulation(f)),
        None => Ok(()),
    }
}

/// The shipped `sub` folder (`scenarios`, `assets/actuators`) next to the program, found at run time.
fn shipped_dir(sub: &str) -> Result<PathBuf> {
    let (top, rest) = sub.split_once('/').unwrap_or((sub, ""));
    scenario::program_dirs(top).into_iter().map(|d| d.join(rest)).find(|d| d.is_dir()).ok_or_else(|| {
        anyhow::anyhow!("no `{sub}` folder next to the program (or above it): run from a checkout, or install it")
    })
}

fn list() -> Result<()> {
    let scenarios = shipped_dir("scenarios")?;
    println!("scenarios ({}):", scenarios.display());
    let mut names: Vec<PathBuf> = std::fs::read_dir(&scenarios)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    for p in names {
        let l = scenario::load(&p, &[])?;
        let d = l.scenario.description.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = d.chars().take(100).collect();
        println!("  {:<28} {short}{}", l.scenario.name, if d.len() > 100 { "…" } else { "" });
    }
    let actuators = shipped_dir("assets/actuators")?;
    println!("actuator presets ({}):", actuators.display());
    let mut presets: Vec<PathBuf> = std::fs::read_dir(&actuators)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    presets.sort();
    for p in presets {
        let cfg = exo_sim::actuator::ActuatorConfig::from_toml(&std::fs::read_to_string(&p)?)
            .with_context(|| format!("{}", p.display()))?;
        println!(
            "  {:<28} {} (ratio {}, peak {:.1} N m, reflected inertia {:.4} kg m², {})",
            p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            cfg.name,
            cfg.gearbox.ratio,
            cfg.peak_torque_nm(),
            cfg.reflected_inertia_kg_m2(),
            if cfg.spring.is_some() { "series spring" } else { "stiff" }
        );
    }
    Ok(())
}

fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        None => {
            println!(
                "exosim: running the default scenario opensim-walk-hip-exo, OpenSim's subject01 walking with a \
                 bilateral hip device, against the same walk without it (exosim --help lists the commands)"
            );
            run_files(
                &[(PathBuf::from("scenarios/opensim-walk-hip-exo.toml"), Some(DEFAULT_SCENARIO))],
                &[],
                &cli.output,
                true,
                false,
            )
        }
        Some(Command::Run { files, set, no_plots, frames }) => {
            let files: Vec<(PathBuf, Option<&str>)> = files.into_iter().map(|f| (f, None)).collect();
            // Validate every file before running any, so that a typo in the last does not waste the first.
            for (f, _) in &files {
                scenario::load(f, &set)?;
            }
            run_files(&files, &set, &cli.output, !no_plots, frames)
        }
        Some(Command::Replay { dir, frames, set }) => replay::run(&dir, frames.as_deref(), &set, &cli.output),
        Some(Command::ExportLaw { source, law, set }) => {
            let file = if source.is_dir() { source.join("scenario.toml") } else { source };
            let loaded = scenario::load(&file, &set)?;
            let text = scenario::firmware_law(&loaded)?;
            atomic::write(&law, text.as_bytes())?;
            println!("wrote {} (the firmware configuration of {})", law.display(), file.display());
            Ok(())
        }
        Some(Command::Check { files, set }) => {
            let mut bad = 0;
            for f in &files {
                let built = scenario::load(f, &set).and_then(|l| {
                    if l.scenario.wearer.is_some() {
                        let im = scenario::import_wearer(&l)?;
                        scenario::build_walk(&l, &im, true).map(|_| l)
                    } else {
                        scenario::build(&l, true).map(|_| l)
                    }
                });
                match built {
                    Ok(l) => println!("ok    {} ({})", f.display(), l.scenario.name),
                    Err(e) => {
                        eprintln!("error: {e}");
                        bad += 1;
                    }
                }
            }
            if bad > 0 {
                return Err(Failure::Input(anyhow::anyhow!("{bad} of {} scenario files are invalid", files.len())));
            }
            Ok(())
        }
        Some(Command::Resolve { file, set }) => {
            let l = scenario::load(&file, &set)?;
            let text = l.scenario.to_toml().context("cannot write the scenario")?;
            print!("{text}");
            Ok(())
        }
        Some(Command::List) => list().map_err(Failure::Input),
        Some(Command::Sweep { file, params, set, jobs, shard }) => {
            let stop = install_interrupt();
            let path = sweep::run(&file, &set, &params, jobs, shard.as_deref(), &cli.output, &stop)
                .map_err(|e| if stop.load(Ordering::Relaxed) { Failure::Interrupted } else { Failure::Input(e) })?;
            println!("sweep written to {}", path.display());
            Ok(())
        }
        Some(Command::Merge { inputs }) => {
            let path = sweep::merge(&inputs, &cli.output)?;
            println!("merged sweep written to {}", path.display());
            Ok(())
        }
        Some(Command::Osim { file }) => osim(&file).map_err(Failure::Input),
        Some(Command::Muscles { trial, speed }) => muscles::run(&trial, speed, &cli.output).map_err(Failure::Input),
        Some(Command::Hilo { trial, protocol }) => hilo::run(&trial, &protocol, &cli.output).map_err(Failure::Input),
        Some(Command::Id { model, motion, loads, lowpass }) => {
            inverse_dynamics(&model, &motion, loads.as_deref(), lowpass, &cli.output).map_err(Failure::Input)
        }
        Some(Command::Schema) => {
            print!("{}", exo_sim::scenario::reference_markdown());
            Ok(())
        }
        Some(Command::Bode { file, input, output_channel, from, to, points, amplitude, excitation, set, jobs }) => {
            let l = scenario::load(&file, &set)?;
            let o = exo_sim::analysis::bode::BodeOptions {
                input,
                output: output_channel,
                from_hz: from,
                to_hz: to,
                points,
                amplitude_nm: amplitude,
                excitation: match excitation {
                    args::ExcitationArg::Sines => exo_sim::analysis::bode::Excitation::SteppedSines,
                    args::ExcitationArg::Chirp => exo_sim::analysis::bode::Excitation::Chirp,
                },
            };
            let dir = analysis::run_bode(&l, &o, jobs, &cli.output)?;
            println!("  written: {}/bode.csv, bode.png", dir.display());
            Ok(())
        }
        Some(Command::Zwidth { file, stiffness, damping, physical_damping, set, jobs }) => {
            let l = scenario::load(&file, &set)?;
            let dir = analysis::run_zwidth(&l, &stiffness, &damping, physical_damping, jobs, &cli.output)?;
            println!("  written: {}/zwidth.csv, zwidth.png", dir.display());
            Ok(())
        }
        Some(Command::Tune { file, params, cost, grid, iterations, starts, set, jobs }) => {
            let dir = tune::run(&file, &set, &params, cost, grid, iterations, starts, jobs, &cli.output)?;
            println!("  written: {}/tune.csv", dir.display());
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Simulation(why)) => {
            eprintln!("simulation failed: {why}");
            ExitCode::from(1)
        }
        Err(Failure::Interrupted) => {
            eprintln!("interrupted");
            ExitCode::from(130)
        }
    }
}

/// `exosim id`: inverse dynamics of a trial into `out/inverse_dynamics.sto`.
fn inverse_dynamics(
    model_path: &Path,
    motion_path: &Path,
    loads_path: Option<&Path>,
    lowpass_hz: Option<f64>,
    out: &Path,
) -> anyhow::Result<()> {
    use exo_sim::opensim::Storage;
    use exo_sim::wearer::Skeleton;
    use exo_sim::wearer::trial::{CoordinateTrajectories, MeasuredLoads, inverse_dynamics};
    let started = std::time::Instant::now();
    let label = model_path.display().to_string();
    let model = exo_opensim::read_model(model_path).map_err(anyhow::Error::from)?;
    let skeleton = Skeleton::from_osim(&model, &label).map_err(anyhow::Error::from)?;
    let motion = Storage::read(motion_path)?;
    let loads = match loads_path {
        Some(p) => Some(MeasuredLoads::read(&skeleton, &model, p).map_err(|e| anyhow::anyhow!("{e}"))?),
        None => None,
    };
    let read = started.elapsed();
    let computing = std::time::Instant::now();
    let trajectories = CoordinateTrajectories::from_motion(&skeleton, &motion, lowpass_hz)?;
    let forces = inverse_dynamics(&skeleton, &model, &trajectories, loads.as_ref())?;
    let computed = computing.elapsed();
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let file = out.join("inverse_dynamics.sto");
    atomic::write(&file, forces.to_text().as_bytes())?;
    println!(
        "inverse dynamics of {} frames ({:.3} s to {:.3} s{}): {}",
        forces.len(),
        forces.time[0],
        forces.time[forces.len() - 1],
        lowpass_hz.map_or_else(|| ", unfiltered".to_string(), |hz| format!(", low-pass {hz} Hz")),
        file.display()
    );
    println!(
        "timing: {:.2} ms to read the files, {:.3} ms to filter and solve, {:.2} ms in all",
        read.as_secs_f64() * 1e3,
        computed.as_secs_f64() * 1e3,
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

/// `exosim osim FILE`: the wearer a model file gives.
fn osim(file: &std::path::Path) -> anyhow::Result<()> {
    use exo_sim::wearer::{MusclePath, Skeleton, SkeletonKinematics};
    let label = file.display().to_string();
    let model = exo_opensim::read_model(file).map_err(anyhow::Error::from)?;
    let skeleton = Skeleton::from_osim(&model, &label).map_err(anyhow::Error::from)?;
    let paths = model
        .muscles
        .iter()
        .map(|m| MusclePath::new(m, &skeleton, &label))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::from)?;
    println!(
        "{label}: {} bodies ({:.2} kg), {} coordinates, {} muscles; planar engine: {} joints",
        skeleton.bodies.len(),
        skeleton.mass_kg(),
        skeleton.coordinates.len(),
        paths.len(),
        skeleton.model.len()
    );
    for c in &skeleton.coordinates {
        println!(
            "  coordinate {:18} joint {:14} {:?}, range {:.3} .. {:.3}{}",
            c.name,
            c.joint,
            c.motion,
            c.range[0],
            c.range[1],
            if c.locked { ", locked" } else { "" }
        );
    }
    // Muscle-tendon lengths at the default pose.
    let q: Vec<f64> = skeleton.coordinates.iter().map(|c| c.default_value).collect();
    let zeros = vec![0.0; q.len()];
    let mut kin = SkeletonKinematics::new(&skeleton);
    kin.update(&skeleton, &q, &zeros);
    for p in &paths {
        let (length, _) = p.length_and_speed(&skeleton, &kin, &q, &zeros);
        println!("  muscle {:16} path length {length:.4} m at the default pose", p.name);
    }
    Ok(())
}
