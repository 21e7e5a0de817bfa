//! exosim: exoskeleton actuator control-loop simulator.
fn main() {}
