//! # exo-viz: the exosim desktop visualiser
//!
//! A bevy application that runs a scenario live (or plays a recorded run back) and shows the human leg, the
//! exoskeleton and its cuffs in 3-D, with torque and force arrows, a panel of controls, gain sliders and live
//! plots.
//!
//! The simulation state lives in resources ([`live::LiveSim`] or [`replay::Replay`]) advanced in `FixedUpdate`
//! at the scenario's control rate; rendering reads the last two fixed steps ([`frames::Frames`]) and never the
//! simulation itself. Plugins only register:
//!
//! | plugin | what |
//! |---|---|
//! | [`sim::SimPlugin`] | clock, fixed-step advance, single steps, gains, requests (no rendering) |
//! | [`scene::ScenePlugin`] | link entities placed from the last two steps (no rendering) |
//! | [`draw::DrawPlugin`] | meshes, materials, lights, ground grid, torque and force arrows |
//! | [`camera::CameraPlugin`] | orbit camera that follows the pelvis, viewport beside the panels |
//! | [`ui::UiPlugin`] | egui panels: controls, gains, plots, status line, legend |
//! | [`capture::CapturePlugin`] | `--screenshot`: renders N frames, saves, checks the picture, exits |

pub mod app;
pub mod camera;
pub mod capture;
pub mod cli;
pub mod coords;
pub mod draw;
pub mod frames;
pub mod gains;
pub mod history;
pub mod live;
pub mod playback;
pub mod replay;
pub mod rig;
pub mod scenarios;
pub mod scene;
pub mod sim;
pub mod source;
pub mod ui;
