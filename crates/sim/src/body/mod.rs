//! The bodies of the simulated world: the human leg scaled from body mass and height, the exoskeleton links and
//! the cuffs that strap one to the other, and ground contact.

pub mod anthropometry;
pub mod contact;
pub mod cuff;
pub mod exo;
pub mod leg;

pub use anthropometry::{Anthropometry, Segment};
pub use contact::{ContactPoint, GroundContact};
pub use cuff::{Cuff, CuffConfig, CuffReading};
pub use exo::{ExoConfig, ExoLinkConfig};
pub use leg::LegGeometry;

/// The three sagittal joints of the leg, in chain order. Exoskeleton joints use the same indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Joint {
    /// Hip flexion (+) / extension.
    Hip,
    /// Knee: negative is flexion (OpenSim's convention).
    Knee,
    /// Ankle dorsiflexion (+) / plantarflexion.
    Ankle,
}

impl Joint {
    /// All three, in chain order.
    pub const ALL: [Joint; 3] = [Joint::Hip, Joint::Knee, Joint::Ankle];

    /// Index 0, 1, 2.
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Joint::Hip => "hip",
            Joint::Knee => "knee",
            Joint::Ankle => "ankle",
        }
    }
}

/// The three segments of the leg below the pelvis. Segment `i` is the child of joint `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// Thigh (child of the hip).
    Thigh,
    /// Shank (child of the knee).
    Shank,
    /// Foot (child of the ankle).
    Foot,
}

impl SegmentKind {
    /// Index 0, 1, 2.
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SegmentKind::Thigh => "thigh",
            SegmentKind::Shank => "shank",
            SegmentKind::Foot => "foot",
        }
    }

    /// All three, in chain order.
    pub const ALL: [SegmentKind; 3] = [SegmentKind::Thigh, SegmentKind::Shank, SegmentKind::Foot];
}
