//! Scenario files: the built-in default, loading, and the catalogue the picker offers.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use exo_sim::scenario::{self, LoadedScenario, ScenarioError};

/// The default scenario, built in so that `exo-viz` alone works from any folder.
pub const DEFAULT_SCENARIO: &str = include_str!("../../../scenarios/walking-assist.toml");

/// The path the built-in default scenario is known by (its assets resolve from there or from the shipped tree).
pub const DEFAULT_SCENARIO_PATH: &str = "scenarios/walking-assist.toml";

/// The `scenarios/` folder of this source tree.
#[must_use]
pub fn shipped_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// Loads `path`, or the built-in default scenario without one.
pub fn load(path: Option<&Path>) -> Result<LoadedScenario, ScenarioError> {
    match path {
        Some(p) => scenario::load(p, &[]),
        None => scenario::parse(DEFAULT_SCENARIO, Path::new(DEFAULT_SCENARIO_PATH), &[]),
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
    /// The folder.
    pub dir: PathBuf,
    /// Its scenario files, sorted.
    pub files: Vec<PathBuf>,
}

impl ScenarioCatalog {
    /// The catalogue of the folder holding `scenario_path` if it lists scenarios, else of the shipped folder.
    #[must_use]
    pub fn beside(scenario_path: &Path) -> Self {
        let local = scenario_path.parent().map(Path::to_path_buf).filter(|d| !list(d).is_empty());
        let dir = local.unwrap_or_else(shipped_dir);
        let files = list(&dir);
        Self { dir, files }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_scenario_loads_and_the_shipped_folder_lists_it() {
        let l = load(None).expect("the default scenario is valid");
        assert_eq!(l.scenario.name, "walking-assist");
        let c = ScenarioCatalog::beside(Path::new("/nonexistent/x.toml"));
        assert!(c.files.iter().any(|f| f.file_name().is_some_and(|n| n == "walking-assist.toml")));
    }
}
