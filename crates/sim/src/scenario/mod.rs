//! Scenario files: schema, loading with precise errors, command-line overrides, and building a simulation.

mod build;
mod export;
mod load;
pub mod per_joint;
mod reference;
mod run;
mod schema;
mod supervision;
mod walk;

pub use build::{asset_dirs, build, find_asset, preset_asset, program_dirs, resolved_copy};
pub use export::firmware_law;
pub use load::{LoadedScenario, Location, ScenarioError, load, parse};
pub use reference::reference_markdown;
pub use run::{OneLeggedRun, RunControl, SETTLING_STRIDES, WalkRun, run_one_legged, run_walk};
pub use schema::*;
pub use supervision::{Device, ResolveSupervisor, SupervisorSpec};
pub use walk::{
    ImportedWearer, StrideWindow, WalkVariant, analyse_walk, build_walk, build_walk_with, import_wearer, load_carriage,
    stride_window, walk_metabolics,
};
