//! The simulation's tick does not allocate: every buffer (the frame, the delay line, the firmware's output, the
//! couplings, the recorder, the frame log) is sized when the simulation is built. Regression test for the
//! sensor delay line, whose frame copies allocated every tick.
#![cfg(feature = "scenario")]
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use exo_sim::scenario;
use exo_sim::simulation::Simulation;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations are counted: only the measured loop's. The test harness's own threads
    /// allocate at moments of their own, which a global count picked up (CI once saw 4 such allocations).
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One test only, so that nothing else runs on the measured thread.
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
        COUNTING.with(|c| c.set(true));
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        for _ in 0..1500 {
            sim.tick().unwrap();
        }
        let after = ALLOCATIONS.load(Ordering::SeqCst);
        COUNTING.with(|c| c.set(false));
        assert_eq!(after - before, 0, "{name}: 1500 ticks allocated {} times", after - before);
    }
}
