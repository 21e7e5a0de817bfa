//! Signal filters for sensor channels: first-order low-pass, biquads, and a velocity estimator.

mod biquad;
mod lowpass;
mod velocity;

pub use biquad::{Biquad, BiquadCoefficients};
pub use lowpass::{LowPass, LowPassConfig};
pub use velocity::{VelocityEstimator, VelocityEstimatorConfig};
