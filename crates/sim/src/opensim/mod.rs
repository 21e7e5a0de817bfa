//! OpenSim data: storage files and a periodic gait reference built from them.
//!
//! * [`storage`]: the OpenSim Storage format (`.mot`, `.sto`) — a reader tolerant of what OpenSim writes, with
//!   errors naming file and line, and a writer whose numbers read back bit-identically.
//! * [`signal`]: the padding and zero-phase low-pass OpenSim's tools apply to coordinates, and their derivatives.
//! * [`gait`]: a periodic reference for the sagittal right leg (hip, knee, ankle, pelvis x/z/pitch) from an
//!   inverse-kinematics trial — a least-squares Fourier series per channel, so positions, velocities and
//!   accelerations are analytic and exactly periodic — with the right foot's ground reaction over one stride
//!   aligned on right heel strike.
//!
//! The shared trial is in `assets/gait/` (see its README):
//!
//! ```no_run
//! use std::path::Path;
//! use exo_sim::opensim::{GaitOptions, GaitReference, Storage};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kinematics = Storage::read(Path::new("assets/gait/subject01_walk1_ik.mot"))?;
//! let grf = Storage::read(Path::new("assets/gait/subject01_walk1_grf.mot"))?;
//! let reference = GaitReference::new(&kinematics, Some(&grf), &GaitOptions::default())?;
//! let sample = reference.sample(0.25); // 0.25 s after a right heel strike
//! println!("hip {:.3} rad, phase {:.2}", sample.joint_angles_rad[0], sample.phase);
//! # Ok(())
//! # }
//! ```

pub mod gait;
pub mod signal;
pub mod storage;

pub use gait::{
    GaitError, GaitOptions, GaitReference, GaitSample, GroundReaction, PelvisFitResidual, PelvisSample,
    detect_heel_strikes,
};
pub use storage::{Storage, StorageError};
