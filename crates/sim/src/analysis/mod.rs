//! Analyses no other simulator ships: closed-loop frequency response, Z-width maps of virtual walls.

pub mod bode;
pub mod zwidth;
