//! Scenario files: schema, loading with precise errors, command-line overrides, and building a simulation.

mod build;
mod load;
mod reference;
mod schema;

pub use build::{asset_dirs, build, find_asset};
pub use load::{LoadedScenario, Location, ScenarioError, load, parse};
pub use reference::reference_markdown;
pub use schema::*;
