//! The simulation's tick does not allocate: every buffer (the frame, the delay line, the firmware's output, the
//! couplings, the recorder, the frame log) is sized when the simulation is built. Regression test for the
//! sensor delay line, whose frame copies allocated every tick.
#![cfg(feature = "scenario")]
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use exo_sim::scenario;
use exo_sim::simulation::Simulation;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One test only: the counter is global, and a test running beside it would be counted.
#[test]
fn ticks_do_not_allocate_with_recording_and_frame_log_on() {
    let path = PathBuf::from(format!("{}/../../scenarios/walking-assist.toml", env!("CARGO_MANIFEST_DIR")));
    for (name, overrides) in [
        ("walking-assist", vec!["simulation.duration_s=2.0".to_string()]),
        ("f32 firmware", vec!["simulation.duration_s=2.0".to_string(), "controller.precision=\"f32\"".to_string()]),
        ("delayed sensors", vec!["simulation.duration_s=2.0".to_string(), "sensors.delay_ticks=3".to_string()]),
    ] {
        let loaded = scenario::load(&path, &overrides).unwrap();
        let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
        sim.log_frames();
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        for _ in 0..1500 {
            sim.tick().unwrap();
        }
        let after = ALLOCATIONS.load(Ordering::SeqCst);
        assert_eq!(after - before, 0, "{name}: 1500 ticks allocated {} times", after - before);
    }
}
