//! Scenario files: the built-in default, loading, and the catalogue the picker offers.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use exo_sim::scenario::{self, LoadedScenario, ScenarioError};

/// The default scenario, built in so that `exo-viz` alone works from any folder.
pub const DEFAULT_SCENARIO: &str = include_str!("../../../scenarios/walking-assist.toml");

/// The path the built-in default scenario is known by (its assets resolve from there or from the program's
/// `assets` folder). Loading this path when no such file exists gives the built-in scenario.
pub const DEFAULT_SCENARIO_PATH: &str = "scenarios/walking-assist.toml";

/// The shipped `scenarios` folder: the first `scenarios` folder next to the running program or up to three
/// levels above it ([`scenario::program_dirs`]) that lists scenarios; `None` when there is none (the picker then
/// offers the built-in default alone).
#[must_use]
pub fn shipped_dir() -> Option<PathBuf> {
    scenario::program_dirs("scenarios").into_iter().find(|d| !list(d).is_empty())
}

/// Loads `path`, or the built-in default scenario without one (or when `path` is [`DEFAULT_SCENARIO_PATH`] and
/// no such file exists).
pub fn load(path: Option<&Path>) -> Result<LoadedScenario, ScenarioError> {
    match path {
        Some(p) if p != Path::new(DEFAULT_SCENARIO_PATH) || p.is_file() => scenario::load(p, &[]),
        _ => scenario::parse(DEFAULT_SCENARIO, Path::new(DEFAULT_SCENARIO_PATH), &[]),
    }
}

/// The scenario files (`*.toml`) of a folder, sorted; empty if it cannot be read.
#[must_use]
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The scenarios the picker offers: the folder of the scenario first shown (or the shipped one).
#[derive(Resource, Clone, Debug, Default)]
pub struct ScenarioCatalog {
    /// The folder (empty when only the built-in default is offered).
    pub dir: PathBuf,
    /// Its scenario files, sorted.
    pub files: Vec<PathBuf>,
}

impl ScenarioCatalog {
    /// The catalogue of the folder holding `scenario_path` if it lists scenarios, else [`ScenarioCatalog::shipped`].
    #[must_use]
    pub fn beside(scenario_path: &Path) -> Self {
        match scenario_path.parent().filter(|d| !list(d).is_empty()) {
            Some(dir) => Self { dir: dir.to_path_buf(), files: list(dir) },
            None => Self::shipped(),
        }
    }

    /// The catalogue of the [`shipped_dir`], or the built-in default scenario alone when there is none.
    #[must_use]
    pub fn shipped() -> Self {
        match shipped_dir() {
            Some(dir) => Self { files: list(&dir), dir },
            None => Self { dir: PathBuf::new(), files: vec![PathBuf::from(DEFAULT_SCENARIO_PATH)] },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_scenario_loads_and_the_catalogue_needs_no_checkout_beside_the_program() {
        let l = load(None).expect("the default scenario is valid");
        assert_eq!(l.scenario.name, "walking-assist");
        // Tests run in crates/viz, which has no scenarios/ folder: the built-in path gives the built-in scenario.
        assert!(!Path::new(DEFAULT_SCENARIO_PATH).is_file());
        assert_eq!(load(Some(Path::new(DEFAULT_SCENARIO_PATH))).unwrap().scenario.name, "walking-assist");
        // The workspace's scenarios/ lists the default, and a scenario in it gets its own folder as the catalogue.
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        assert!(list(&shipped).iter().any(|f| f.ends_with("walking-assist.toml")));
        let beside = ScenarioCatalog::beside(&shipped.join("walking-assist.toml"));
        assert_eq!(beside.files, list(&shipped));
        // A scenario outside any folder of scenarios falls back to the shipped folder if one is found next to the
        // program (not so when the target directory lies outside the checkout, as in CI), else to the built-in
        // default alone: either way the default is offered.
        let c = ScenarioCatalog::beside(Path::new("/nonexistent/x.toml"));
        assert!(c.files.iter().any(|f| f.file_name().is_some_and(|n| n == "walking-assist.toml")));
        assert_eq!(c.dir.as_os_str().is_empty(), shipped_dir().is_none());
    }
}
