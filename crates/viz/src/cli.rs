//! Command-line arguments.

use std::path::PathBuf;

use clap::Parser;

/// exo-viz: the exosim visualiser. Runs a scenario live (the built-in walking-assist without one) or plays a
/// recorded run back.
#[derive(Parser, Debug, Clone, PartialEq)]
#[command(name = "exo-viz", version)]
pub struct Args {
    /// Scenario file to run live (default: the built-in scenarios/walking-assist.toml).
    pub scenario: Option<PathBuf>,
    /// Play back a recorded run: a folder holding timeseries.csv and scenario.toml (as `exosim run` writes).
    #[arg(long, value_name = "DIR", conflicts_with = "scenario")]
    pub replay: Option<PathBuf>,
    /// Render, save the window to FILE.png, check the picture and exit (status 1 if the check fails).
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// Frames rendered before the screenshot (at least 4: shaders compile during the first frames).
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(4..))]
    pub frames: u32,
    /// Simulated seconds to run before the first frame (replay: where to start). Default: 3 s with
    /// --screenshot (so that the plots have data), 0 otherwise.
    #[arg(long, value_name = "SECONDS")]
    pub warmup: Option<f64>,
    /// Playback speed, 0.1 to 10 (simulated seconds per real second).
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    pub speed: f64,
    /// Start paused.
    #[arg(long)]
    pub paused: bool,
}

impl Args {
    /// Seconds to run (or skip, in a replay) before the first frame.
    #[must_use]
    pub fn warmup_s(&self) -> f64 {
        self.warmup.unwrap_or(if self.screenshot.is_some() { 3.0 } else { 0.0 }).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        let a = Args::parse_from(["exo-viz", "--screenshot", "/tmp/s.png", "--frames", "6"]);
        assert_eq!(a.frames, 6);
        assert_eq!(a.warmup_s(), 3.0);
        assert!(Args::try_parse_from(["exo-viz", "--frames", "2"]).is_err());
        assert!(Args::try_parse_from(["exo-viz", "x.toml", "--replay", "d"]).is_err());
        assert_eq!(Args::parse_from(["exo-viz"]).warmup_s(), 0.0);
    }
}
