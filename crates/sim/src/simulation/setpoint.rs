//! What the host asks of the controller each tick.

use serde::{Deserialize, Serialize};

/// A torque test signal, applied to the exoskeleton joints that have actuators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum TorqueSignal {
    /// Zero torque (transparency).
    #[default]
    Zero,
    /// A step at `time_s` to `torque_nm`.
    Step {
        /// Step time, s.
        time_s: f64,
        /// Torque after the step, N m.
        torque_nm: f64,
    },
    /// A sine of `amplitude_nm` at `frequency_hz`.
    Sine {
        /// Amplitude, N m.
        amplitude_nm: f64,
        /// Frequency, Hz.
        frequency_hz: f64,
    },
    /// A linear chirp from `start_hz` to `end_hz` over `duration_s`, zero afterwards.
    Chirp {
        /// Amplitude, N m.
        amplitude_nm: f64,
        /// Start frequency, Hz.
        start_hz: f64,
        /// End frequency, Hz.
        end_hz: f64,
        /// Sweep duration, s.
        duration_s: f64,
    },
}

impl TorqueSignal {
    /// Value at `t_s`, N m.
    #[must_use]
    pub fn value(&self, t_s: f64) -> f64 {
        use std::f64::consts::TAU;
        match *self {
            TorqueSignal::Zero => 0.0,
            TorqueSignal::Step { time_s, torque_nm } => {
                if t_s >= time_s {
                    torque_nm
                } else {
                    0.0
                }
            }
            TorqueSignal::Sine { amplitude_nm, frequency_hz } => amplitude_nm * (TAU * frequency_hz * t_s).sin(),
            TorqueSignal::Chirp { amplitude_nm, start_hz, end_hz, duration_s } => {
                if !(0.0..=duration_s).contains(&t_s) {
                    return 0.0;
                }
                let t = t_s;
                let k = (end_hz - start_hz) / duration_s;
                amplitude_nm * (TAU * (start_hz * t + 0.5 * k * t * t)).sin()
            }
        }
    }
}

/// Where the setpoint of each tick comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SetpointSource {
    /// Nothing: the law needs no setpoint (the frame's setpoint stays zero).
    None,
    /// The exoskeleton joints follow the human's reference motion (position laws): the planned motion, which a
    /// device's host knows (a rehabilitation trajectory), not the wearer's measured state.
    Reference,
    /// A torque signal (torque laws).
    Torque(TorqueSignal),
}

impl SetpointSource {
    /// Puts the host's targets for time `t_s` into `frame`. For [`SetpointSource::Reference`], `reference` fills
    /// each joint's reference angle (rad) and speed (rad/s) into the two slices it is given; the frame's other
    /// setpoints are left alone.
    pub(crate) fn fill(
        &self,
        t_s: f64,
        frame: &mut crate::control::Frame,
        reference: impl FnOnce(&mut [f64], &mut [f64]),
    ) {
        match self {
            SetpointSource::None => {}
            SetpointSource::Reference => {
                reference(&mut frame.setpoint_position_rad, &mut frame.setpoint_velocity_rad_per_s);
            }
            SetpointSource::Torque(signal) => {
                let v = signal.value(t_s);
                frame.setpoint_torque_nm.iter_mut().for_each(|x| *x = v);
            }
        }
    }
}

/// Why the host's torque setpoint was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HostTorqueError {
    /// One value per controlled joint is needed.
    #[error("expected {expected} torques (one per controlled joint), got {got}")]
    WrongLength {
        /// Controlled joints.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// A value is NaN or infinite.
    #[error("the torque of joint {joint} ({name}) is not finite: {value}")]
    NotFinite {
        /// Its index among the controlled joints.
        joint: usize,
        /// Its name.
        name: String,
        /// The value.
        value: f64,
    },
}

/// A torque setpoint a host sets from outside the scenario (a learning or optimising host drives the device),
/// written into every tick's frame in place of the scenario's torque setpoint while it is set. Laws use it as
/// they use their torque setpoint: the torque law tracks it, the assistance law adds it to its profile, position
/// laws take it as feedforward.
#[derive(Clone, Debug, PartialEq)]
pub struct HostTorque {
    torque_nm: Vec<f64>,
    active: bool,
}

impl HostTorque {
    /// No host setpoint, room for `joints` values (so that setting one does not allocate).
    #[must_use]
    pub fn new(joints: usize) -> Self {
        Self { torque_nm: vec![0.0; joints], active: false }
    }

    /// Sets the host's torques, N m, one per controlled joint, or clears them with `None`; `name_of(j)` names
    /// joint `j` in an error (asked only then: a host that sets its torque every tick allocates nothing).
    ///
    /// # Errors
    /// The wrong number of values, or a value that is not finite; the previous setpoint is kept.
    pub fn set(
        &mut self,
        torque_nm: Option<&[f64]>,
        name_of: impl FnOnce(usize) -> String,
    ) -> Result<(), HostTorqueError> {
        let Some(t) = torque_nm else {
            self.active = false;
            return Ok(());
        };
        if t.len() != self.torque_nm.len() {
            return Err(HostTorqueError::WrongLength { expected: self.torque_nm.len(), got: t.len() });
        }
        if let Some(j) = t.iter().position(|v| !v.is_finite()) {
            return Err(HostTorqueError::NotFinite { joint: j, name: name_of(j), value: t[j] });
        }
        self.torque_nm.copy_from_slice(t);
        self.active = true;
        Ok(())
    }

    /// Writes the host's torques, when set, into `frame`'s torque setpoint.
    pub(crate) fn apply(&self, frame: &mut crate::control::Frame) {
        if self.active {
            frame.setpoint_torque_nm.copy_from_slice(&self.torque_nm);
        }
    }
}
