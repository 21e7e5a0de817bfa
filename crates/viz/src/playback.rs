//! Play, pause, single step and speed, and the fixed clock they drive.
//!
//! The simulation advances in `FixedUpdate`, one control tick per fixed step: the fixed timestep is the control
//! tick divided by the speed, so that 1x runs in real time and several steps run per frame when needed,
//! whatever the frame rate.

use std::ops::RangeInclusive;
use std::time::Duration;

use bevy::prelude::*;

use crate::frames::Frames;

/// The speeds offered, simulated seconds per real second.
pub const SPEED_RANGE: RangeInclusive<f64> = 0.1..=10.0;

/// At most this much real time is simulated per frame, s: a slow frame does not snowball into slower ones
/// (at 10x, a 0.25 s frame is 2500 control ticks of a 1 kHz loop, about 40 ms of computing).
pub const MAX_FRAME_TIME_S: f64 = 0.25;

/// What the user asked of the clock.
#[derive(Resource, Clone, Debug, PartialEq)]
pub struct Playback {
    /// No fixed steps run while paused.
    pub paused: bool,
    /// Simulated seconds per real second (clamped to [`SPEED_RANGE`] by [`Playback::set_speed`]).
    pub speed: f64,
    /// Single steps asked for while paused, run at the next frame.
    pub pending_steps: u32,
    /// The control tick of the loaded scenario, s.
    pub tick_s: f64,
}

impl Default for Playback {
    fn default() -> Self {
        Self { paused: false, speed: 1.0, pending_steps: 0, tick_s: 1e-3 }
    }
}

impl Playback {
    /// Sets the speed, clamped to [`SPEED_RANGE`].
    pub fn set_speed(&mut self, speed: f64) {
        self.speed = if speed.is_finite() { speed.clamp(*SPEED_RANGE.start(), *SPEED_RANGE.end()) } else { 1.0 };
    }

    /// Pauses and asks for one control tick.
    pub fn step(&mut self) {
        self.paused = true;
        self.pending_steps += 1;
    }

    /// The fixed timestep: one control tick at this speed.
    #[must_use]
    pub fn timestep(&self) -> Duration {
        Duration::from_secs_f64(self.tick_s / self.speed)
    }
}

/// Applies [`Playback`] to the clocks before they advance: the fixed timestep, and virtual time paused or not.
pub fn configure_clock(playback: Res<Playback>, mut fixed: ResMut<Time<Fixed>>, mut virt: ResMut<Time<Virtual>>) {
    let step = playback.timestep();
    if fixed.timestep() != step && !step.is_zero() {
        fixed.set_timestep(step);
    }
    if playback.paused != virt.is_paused() {
        if playback.paused {
            virt.pause();
        } else {
            virt.unpause();
        }
    }
    let max = Duration::from_secs_f64(MAX_FRAME_TIME_S);
    if virt.max_delta() != max {
        virt.set_max_delta(max);
    }
}

/// Simulated seconds per real second actually achieved, measured over half-second windows.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct RealTimeFactor {
    /// The last measurement, once there is one.
    pub value: Option<f64>,
    real_s: f64,
    sim_s: f64,
    last_sim_s: Option<f64>,
}

impl RealTimeFactor {
    /// Books one frame: `real_s` of real time during which simulated time went to `sim_time_s`.
    pub fn book(&mut self, real_s: f64, sim_time_s: f64) {
        if let Some(last) = self.last_sim_s
            && sim_time_s >= last
        {
            self.real_s += real_s;
            self.sim_s += sim_time_s - last;
        }
        self.last_sim_s = Some(sim_time_s);
        if self.real_s >= 0.5 {
            self.value = Some(self.sim_s / self.real_s);
            self.real_s = 0.0;
            self.sim_s = 0.0;
        }
    }
}

/// Measures the real-time factor from the simulated time of the last step (afresh after a pause).
pub fn measure_real_time_factor(
    real: Res<Time<Real>>,
    frames: Res<Frames>,
    playback: Res<Playback>,
    mut rtf: ResMut<RealTimeFactor>,
) {
    if playback.paused {
        if *rtf != RealTimeFactor::default() {
            *rtf = RealTimeFactor::default();
        }
        return;
    }
    rtf.book(real.delta_secs_f64(), frames.curr.time_s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_is_clamped_and_scales_the_timestep() {
        let mut p = Playback { tick_s: 1e-3, ..Playback::default() };
        p.set_speed(2.0);
        assert_eq!(p.timestep(), Duration::from_micros(500));
        p.set_speed(50.0);
        assert_eq!(p.speed, 10.0);
        p.set_speed(0.0);
        assert_eq!(p.speed, 0.1);
        p.step();
        assert!(p.paused);
        assert_eq!(p.pending_steps, 1);
    }
}
